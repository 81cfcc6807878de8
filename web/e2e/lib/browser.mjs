// Debian's chromium driven by playwright-core (no browser download): headless, a fresh profile
// per launch, and the flags this machine needs (without the networking ones Chromium floods
// the closed network with connection attempts).
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.AWOOOI_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (scripts/install-deps) or set AWOOOI_CHROMIUM`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'awoooi-e2e-chromium-'));
  // A persistent context on an empty directory = a fresh user-data dir we own and remove.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    colorScheme: 'dark',
  });
  const pages = [];
  const errors = [];
  const watch = (page, who) => {
    page.on('pageerror', (e) => errors.push(`${who}: uncaught ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(`${who}: ${m.text()}`);
    });
    page.setDefaultTimeout(15000);
    pages.push(page);
    return page;
  };
  return {
    context,
    errors,
    // Every page of one launch shares storage (sessionStorage is per tab, so each page signs
    // in as its own user).
    async newPage(who = 'page') {
      return watch(await context.newPage(), who);
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactsDir() {
  const dir = process.env.AWOOOI_E2E_ARTIFACTS || join(process.cwd(), '..', 'build', 'e2e-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function screenshot(page, name, opts = {}) {
  const file = join(artifactsDir(), `${name}.png`);
  await page.screenshot({ path: file, fullPage: false, ...opts });
  return file;
}

// Signs in through the form, as a person would.
export async function signIn(page, base, token) {
  await page.goto(`${base}/incidents`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}

// Unfolds every group of correlated incidents in the list (a child incident, e.g. frontend
// caused by postgres-db, is folded under its parent until then).
export async function expandCorrelated(page) {
  for (const button of await page.locator('button.fold[aria-expanded="false"]').all()) await button.click();
}

// Waits for an incident row, unfolding correlated groups as they appear (a link between two
// incidents may arrive after both rows are shown, folding one under the other).
export async function waitForIncidentRow(page, text, timeout = 15000) {
  const row = page.locator('tr', { hasText: text });
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    await expandCorrelated(page);
    if (await row.isVisible()) return row;
    await page.waitForTimeout(200);
  }
  throw new Error(`no incident row with "${text}" after ${timeout} ms`);
}
