// The topology view highlights the root cause and the blast radius of the unhealthy services.
import assert from 'node:assert/strict';
import { screenshot, signIn } from './lib/browser.mjs';
import { waitFor } from './lib/server.mjs';

export default [
  {
    name: 'the topology view highlights postgres-db as the root cause of frontend',
    async run({ server, base, browser }) {
      const page = await browser.newPage('alice');
      await signIn(page, base, server.tokens.alice);
      await server.postAlertFile('examples/alerts/demo-incident.json');
      await waitFor(
        async () => (await server.api('GET', '/api/v1/topology')).body.services.find((s) => s.name === 'postgres-db').health === 'critical',
        { what: 'postgres-db to be unhealthy' },
      );
      await page.getByRole('link', { name: 'Topology', exact: true }).click();
      const graph = page.getByTestId('topology-graph');
      await graph.and(page.locator('[data-ready="true"]')).waitFor();

      // Focus: the top-most unhealthy service (frontend); its root cause is postgres-db.
      const focus = page.getByTestId('topology-focus');
      await focus.getByRole('heading', { name: /frontend/ }).waitFor();
      await focus.getByTestId('focus-root-causes').filter({ hasText: 'postgres-db' }).waitFor();
      assert.match(await focus.getByTestId('focus-blast').innerText(), /ingress/);
      const roleOf = async (s) => (await page.locator(`tr[data-service="${s}"] td.role-cell`).innerText()).trim();
      assert.equal(await roleOf('postgres-db'), 'root cause');
      assert.equal(await roleOf('ingress'), 'blast radius');
      assert.equal(await roleOf('frontend'), 'selected');
      // The graph draws the same: a canvas with the nodes (Cytoscape renders to canvas).
      assert.ok((await graph.locator('canvas').count()) > 0);
      await page.waitForTimeout(300); // let the canvas paint before the screenshot
      await screenshot(page, 'topology');

      // Choosing a service (keyboard-usable table) moves the focus and the URL.
      await page.locator('tr[data-service="postgres-db"]').getByRole('button', { name: 'postgres-db' }).click();
      await focus.getByRole('heading', { name: /postgres-db/ }).waitFor();
      assert.match(page.url(), /service=postgres-db/);
      await focus.getByTestId('focus-blast').filter({ hasText: 'frontend' }).waitFor();

      // Clicking a service on the graph itself selects it.
      const positions = JSON.parse(await graph.getAttribute('data-node-positions'));
      const box = await graph.boundingBox();
      const [x, y] = positions['auth-service'];
      await page.mouse.click(box.x + x, box.y + y);
      await focus.getByRole('heading', { name: /auth-service/ }).waitFor();
      assert.match(page.url(), /service=auth-service/);
    },
  },
];
