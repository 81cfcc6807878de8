// The brain's reasoning appears in the ThinkingTerminal (a late viewer gets it replayed), next
// to the analysis: root cause postgres-db with its evidence path, blast radius ingress.
import assert from 'node:assert/strict';
import { screenshot, signIn, waitForIncidentRow } from './lib/browser.mjs';
import { waitFor } from './lib/server.mjs';

export default [
  {
    name: 'the reasoning streams into the ThinkingTerminal and the analysis shows the root cause',
    async run({ server, base, browser }) {
      const page = await browser.newPage('alice');
      await signIn(page, base, server.tokens.alice);
      const stored = await server.postAlertFile('examples/alerts/demo-incident.json');
      const incidents = (await server.api('GET', '/api/v1/incidents')).body.incidents;
      const frontend = incidents.find((i) => i.service === 'frontend');
      assert.ok(frontend && stored.incidents.includes(frontend.id));

      // The analysis links the frontend incident under the database's (one failure pages once):
      // it is then folded under its parent, and opened from there.
      await waitFor(async () => (await server.api('GET', `/api/v1/incidents/${frontend.id}`)).body.parent_id != null,
        { what: 'the frontend incident linked under its cause' });
      const parent = (await server.api('GET', `/api/v1/incidents/${frontend.id}`)).body.parent_id;
      await page.reload();
      const fold = page.locator(`tr[data-incident-id="${parent}"] button.fold`);
      await fold.waitFor();
      if ((await fold.getAttribute('aria-expanded')) !== 'true') await fold.click();
      await page.locator(`tr[data-incident-id="${frontend.id}"]`).getByRole('link', { name: 'frontend 5xx rate > 15%' }).click();
      await page.getByRole('heading', { name: 'frontend 5xx rate > 15%' }).waitFor();

      const terminal = page.getByTestId('thinking-text');
      await terminal.filter({ hasText: 'Root cause: 1 unhealthy dependency: postgres-db' }).waitFor();
      await page.getByTestId('thinking-status').filter({ hasText: 'done' }).waitFor();
      const text = await terminal.innerText();
      assert.match(text, /Proposed action 1: restart_pod postgres-db/);
      // Monospace, as a terminal.
      const font = await terminal.locator('pre').evaluate((el) => getComputedStyle(el).fontFamily);
      assert.match(font, /mono/i);

      // The analysis beside it: root cause and its evidence path, blast radius.
      const analysis = page.getByTestId('analysis');
      await analysis.waitFor();
      assert.match(await analysis.innerText(), /postgres-db/);
      assert.deepEqual(await analysis.locator('ol.path').first().locator('li').allInnerTexts(), [
        'frontend',
        'auth-service',
        'postgres-db',
      ]);
      assert.match(await analysis.innerText(), /ingress/);

      // Replay re-types the finished transcript from the start.
      await page.getByRole('button', { name: 'Replay the reasoning from the start' }).click();
      await waitFor(async () => (await terminal.innerText()).length < text.length, { what: 'replay to restart', timeout: 5000 });
      await waitFor(async () => (await terminal.innerText()) === text, { what: 'replay to finish', timeout: 15000 });
      await screenshot(page, 'incident');
    },
  },
];
