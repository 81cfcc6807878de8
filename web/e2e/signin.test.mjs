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
  {
    name: 'the dashboard works from the keyboard: skip link first, visible focus rings',
    async run({ server, base, browser }) {
      const page = await browser.newPage('alice');
      await page.goto(`${base}/`);
      // The token field has the focus at once; Enter signs in.
      await page.waitForFunction(() => document.activeElement?.id === 'token');
      await page.keyboard.type(server.tokens.alice);
      await page.keyboard.press('Enter');
      await page.getByTestId('whoami').waitFor();
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => document.activeElement?.textContent);
      assert.equal(first, 'Skip to content');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return { text: el.textContent, outline: style.outlineStyle, width: style.outlineWidth };
      });
      assert.equal(focused.text, 'Incidents');
      assert.equal(focused.outline, 'solid');
      assert.equal(focused.width, '3px');
      // Every control on the page has an accessible name.
      const unnamed = await page.evaluate(() =>
        Array.from(document.querySelectorAll('button, select, input, a[href]'))
          .filter((el) => !(el.getAttribute('aria-label') || el.textContent.trim() || el.labels?.length))
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unnamed, []);
    },
  },
];
