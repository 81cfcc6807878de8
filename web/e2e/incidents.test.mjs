// The incident list is live: an alert posted while the page is open appears without a reload.
import assert from 'node:assert/strict';
import { screenshot, signIn, waitForIncidentRow } from './lib/browser.mjs';

const DEMO = 'examples/alerts/demo-incident.json';

export default [
  {
    name: 'an alert posted while alice watches appears live in the incident list',
    async run({ server, base, browser }) {
      const page = await browser.newPage('alice');
      await signIn(page, base, server.tokens.alice);
      await page.getByTestId('incidents-empty').waitFor();
      await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
      const navigations = [];
      page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));

      await server.postAlertFile(DEMO);

      // postgres-db's incident is a root; frontend's may be folded under it (correlated).
      await page.locator('tr', { hasText: 'postgres-db connections at 98%' }).waitFor();
      const row = await waitForIncidentRow(page, 'frontend 5xx rate > 15%');
      assert.match(await row.innerText(), /critical/i);
      assert.match(await row.innerText(), /firing/i);
      assert.deepEqual(navigations, [], 'the list updated without loading a page');
      assert.match(await page.getByTestId('firing-count').innerText(), /2 firing/);

      // Filters: severity and service narrow the list; clearing restores it.
      await page.getByLabel('Service', { exact: true }).fill('postgres');
      await page.locator('tr', { hasText: 'frontend 5xx rate > 15%' }).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await waitForIncidentRow(page, 'frontend 5xx rate > 15%');
      await page.getByLabel('Severity').selectOption('warning');
      await page.getByTestId('incidents-empty').filter({ hasText: 'No incident matches' }).waitFor();
      await page.getByLabel('Severity').selectOption('');
      await waitForIncidentRow(page, 'frontend 5xx rate > 15%');
      await screenshot(page, 'incidents');
    },
  },
];
