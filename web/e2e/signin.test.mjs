// Signing in with an API token, who is signed in, signing out, and a token that is refused.
import assert from 'node:assert/strict';
import { screenshot, signIn } from './lib/browser.mjs';

export default [
  {
    name: 'alice signs in with her token, sees her name and role, and signs out',
    async run({ server, base, browser }) {
      const page = await browser.newPage('alice');
      await page.goto(`${base}/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await screenshot(page, 'signin');
      await signIn(page, base, server.tokens.alice);
      const who = page.getByTestId('whoami');
      assert.match(await who.innerText(), /alice\s*devops/i);
      // Kept for the session: a reload stays signed in.
      await page.reload();
      await page.getByTestId('whoami').waitFor();
      // The live stream is connected.
      await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('awoooi.token')), null);
    },
  },
  {
    name: 'a wrong token is refused with a message and nothing is kept',
    async run({ base, browser }) {
      const page = await browser.newPage('stranger');
      await page.goto(`${base}/`);
      await page.getByLabel('API token').fill('awi_' + '0'.repeat(64));
      await page.getByLabel('API token').press('Enter');
      await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('awoooi.token')), null);
    },
  },
];
