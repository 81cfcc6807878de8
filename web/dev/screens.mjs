#!/usr/bin/env node
// Screenshots of every page against the dev mock, in dark and light, for looking at the design
// (not tests; the e2e tests take their own from the real server).
//   node dev/screens.mjs [outdir]      (starts dev/mock-server.mjs on a free port, needs dist/)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from '../e2e/lib/browser.mjs';
import { freePort, waitFor } from '../e2e/lib/server.mjs';

const out = process.argv[2] || '/tmp/awoooi-screens';
mkdirSync(out, { recursive: true });
const port = await freePort();
const mock = spawn(process.execPath, [new URL('./mock-server.mjs', import.meta.url).pathname, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
let text = '';
mock.stdout.on('data', (d) => (text += d));
const base = `http://127.0.0.1:${port}`;
await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { what: 'mock' });
const token = (user) => text.match(new RegExp(`${user} \\(\\w+\\): (awi_[0-9a-f]+)`))[1];
await new Promise((r) => setTimeout(r, 3500)); // the seeded analysis and CRITICAL request

const browser = await launch();
try {
  for (const [theme, lang] of [['dark', 'en'], ['light', 'en'], ['dark', 'zh-TW']]) {
    for (const [user, pages] of [
      ['alice', ['/incidents', '/incidents/1', '/topology', '/approvals', '/trust', '/audit']],
      ['victor', ['/approvals/2']],
    ]) {
      const page = await browser.newPage(user);
      await page.goto(`${base}/`);
      await page.evaluate(([t, th, l]) => {
        sessionStorage.setItem('awoooi.token', t);
        localStorage.setItem('awoooi.theme', th);
        localStorage.setItem('awoooi.lang', l);
      }, [token(user), theme, lang]);
      for (const p of pages) {
        await page.goto(base + p);
        await page.waitForTimeout(900);
        await page.screenshot({ path: join(out, `${theme}-${lang}-${user}${p.replace(/\//g, '_')}.png`) });
      }
      await page.close();
    }
  }
} finally {
  await browser.close();
  mock.kill();
}
console.log(`screenshots in ${out}`);
