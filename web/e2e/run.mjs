#!/usr/bin/env node
// Runs the dashboard's end-to-end tests (web/e2e/*.test.mjs) one at a time. Each test gets its
// own `awoooi serve` (fresh data directory, demo users) and its own Chromium, both stopped
// afterwards. Screenshots go to $AWOOOI_E2E_ARTIFACTS (default build/e2e-artifacts).
//   npm run e2e                      all tests
//   npm run e2e -- topology          only tests whose file or name contains "topology"
// Ends with "N passed, N failed, N skipped"; exits 1 when a test failed.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AwoooiServer, AWOOOI_BIN } from './lib/server.mjs';
import { launch, artifactsDir, CHROMIUM } from './lib/browser.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] || '';
const TEST_TIMEOUT_MS = Number(process.env.AWOOOI_E2E_TIMEOUT_MS || 120000);

export class Skip extends Error {}

async function main() {
  const files = readdirSync(HERE).filter((f) => f.endsWith('.test.mjs')).sort();
  const tests = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(HERE, f)).href);
    for (const t of mod.default) {
      if (!filter || f.includes(filter) || t.name.includes(filter)) tests.push({ file: f, ...t });
    }
  }
  console.log(`e2e: ${tests.length} tests; awoooi ${AWOOOI_BIN}; chromium ${CHROMIUM}; artifacts ${artifactsDir()}`);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const t of tests) {
    const started = Date.now();
    // `server` is the options for awoooi, or a function that prepares what the test needs first
    // (e.g. a fake LLM provider) and returns { ...options, fixture, cleanup }.
    let prepared = {};
    let server = null;
    let browser = null;
    let timer;
    try {
      prepared = typeof t.server === 'function' ? await t.server() : (t.server ?? {});
      server = new AwoooiServer(prepared);
      await server.start();
      if (server.frontNote) console.log(`  note: ${server.frontNote}`);
      browser = await launch();
      const ctx = {
        server,
        base: server.base,
        browser,
        fixture: prepared.fixture,
        skip: (reason) => {
          throw new Skip(reason);
        },
      };
      await Promise.race([
        t.run(ctx),
        new Promise((_, rej) => {
          timer = setTimeout(() => rej(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
        }),
      ]);
      if (browser.errors.length) throw new Error(`the page reported errors:\n    ${browser.errors.join('\n    ')}`);
      passed++;
      console.log(`ok   ${t.file} › ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      if (e instanceof Skip) {
        skipped++;
        console.log(`skip ${t.file} › ${t.name}: ${e.message}`);
      } else {
        failed++;
        console.log(`FAIL ${t.file} › ${t.name} (${Date.now() - started} ms)\n    ${String(e && e.stack ? e.stack : e).split('\n').join('\n    ')}`);
        if (server?.err) console.log(`    server log (tail):\n      ${server.err.trim().split('\n').slice(-15).join('\n      ')}`);
      }
    } finally {
      clearTimeout(timer);
      await browser?.close();
      await server?.stop();
      await prepared.cleanup?.();
    }
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
