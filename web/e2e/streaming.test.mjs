// Reasoning streamed live: awoooi's brain is an OpenAI-compatible provider (a fake one started
// by the test, speaking the real wire format: SSE chat.completion.chunk). The fake sends the
// first part of its answer and holds the rest until the test has seen that part in the
// ThinkingTerminal, so "live" is proven without timing guesses.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { signIn } from './lib/browser.mjs';
import { waitFor } from './lib/server.mjs';

const FIRST = '1. The 5xx errors start at frontend, but every path leads to postgres-db.\n';
const REST =
  '2. Restarting the callers would not help; one database pod restart is the smallest change.\n\n' +
  '```json\n' +
  JSON.stringify({
    summary: 'frontend returns 5xx because postgres-db is down; restart its pod',
    root_cause: { service: 'postgres-db', kind: 'database', evidence: 'every path from frontend leads to postgres-db' },
    blast_radius: ['ingress'],
    actions: [{ type: 'restart_pod', target: 'postgres-db', parameters: { namespace: 'production' }, expected_effect: 'postgres-db accepts connections' }],
    confidence: 0.82,
    reasoning: 'postgres-db is the ranked root cause',
  }) +
  '\n```\n';

function chunk(delta, finish = null) {
  const obj = { id: 'chatcmpl-e2e', object: 'chat.completion.chunk', created: 1732500000, model: 'test-model', choices: [{ index: 0, delta, finish_reason: finish }] };
  return `data: ${JSON.stringify(obj)}\n\n`;
}

async function fakeOpenAi() {
  let release;
  const gate = new Promise((r) => (release = r));
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      // Only the frontend incident's analysis is held; any other streams at once.
      const held = body.includes('incident: frontend');
      if (held) calls++;
      if (!req.url.endsWith('/chat/completions')) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }));
      res.write(chunk({ content: FIRST }));
      if (held) await gate;
      for (let i = 0; i < REST.length; i += 40) res.write(chunk({ content: REST.slice(i, i + 40) }));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    config: `brain:\n  type: openai\n  model: test-model\n  base_url: http://127.0.0.1:${port}/v1\n  api_key: sk-test-123\n`,
    fixture: { release: () => release(), calls: () => calls },
    cleanup: () => {
      release();
      server.closeAllConnections?.();
      server.close();
    },
  };
}

export default [
  {
    name: 'reasoning appears in the ThinkingTerminal while the brain is still writing it',
    server: fakeOpenAi,
    async run({ server, base, browser, fixture }) {
      const page = await browser.newPage('alice');
      await signIn(page, base, server.tokens.alice);
      await server.postAlertFile('examples/alerts/demo-incident.json');
      const incidents = (await server.api('GET', '/api/v1/incidents')).body.incidents;
      const frontend = incidents.find((i) => i.service === 'frontend');
      await waitFor(() => fixture.calls() > 0, { what: "awoooi to ask the LLM provider about frontend's incident" });

      await page.goto(`${base}/incidents/${frontend.id}`);
      const terminal = page.getByTestId('thinking-text');
      await terminal.filter({ hasText: 'every path leads to postgres-db' }).waitFor();
      await page.getByTestId('thinking-status').filter({ hasText: 'thinking' }).waitFor();
      assert.doesNotMatch(await terminal.innerText(), /smallest change/);

      fixture.release();
      await terminal.filter({ hasText: 'one database pod restart is the smallest change' }).waitFor();
      await page.getByTestId('thinking-status').filter({ hasText: 'done' }).waitFor({ timeout: 30000 });
      // The first part was not repeated: chunks are appended once.
      const text = await terminal.innerText();
      assert.equal(text.split('every path leads to postgres-db').length, 2, text);
    },
  },
];
