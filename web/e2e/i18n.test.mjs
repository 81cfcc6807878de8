// Language and theme switches change what is shown and are remembered.
import assert from 'node:assert/strict';
import { screenshot, signIn } from './lib/browser.mjs';

export default [
  {
    name: 'switching to Traditional Chinese changes visible strings and is remembered',
    async run({ server, base, browser }) {
      const page = await browser.newPage('alice');
      await signIn(page, base, server.tokens.alice);
      await server.postAlertFile('examples/alerts/demo-incident.json');
      await page.locator('tr', { hasText: 'postgres-db connections at 98%' }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).waitFor();

      await page.getByLabel('Language').selectOption('zh-TW');
      const nav = page.getByRole('navigation', { name: '主選單' });
      await nav.getByRole('link', { name: '事件' }).waitFor();
      await nav.getByRole('link', { name: '拓撲' }).waitFor();
      await page.getByRole('heading', { name: '事件' }).waitFor();
      assert.match(await page.getByTestId('firing-count').innerText(), /2 個告警中/);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-TW');
      // Redacted content is shown as it is; only the interface is translated.
      await page.locator('tr', { hasText: 'postgres-db connections at 98%' }).waitFor();

      await page.reload();
      await page.getByRole('navigation', { name: '主選單' }).getByRole('link', { name: '審批' }).waitFor();
      await screenshot(page, 'incidents-zh-TW');

      await page.getByLabel('語言').selectOption('en');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).waitFor();
    },
  },
  {
    name: 'the light theme can be chosen and is remembered; dark is the default',
    async run({ server, base, browser }) {
      const page = await browser.newPage('alice');
      await signIn(page, base, server.tokens.alice);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
      // The button now offers the way back.
      await page.getByRole('button', { name: 'Switch to dark theme' }).waitFor();
      await page.reload();
      await page.getByTestId('whoami').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, 'rgb(244, 246, 248)');
    },
  },
];
