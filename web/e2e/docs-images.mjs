#!/usr/bin/env node
// Copies the screenshots of the last e2e run (real awoooi, demo alert) to docs/images/ for the
// README: the incident list, an incident (with its ApprovalCard when the approval tests ran,
// else its proposal) beside the ThinkingTerminal, the topology, the list in zh-TW.
//   npm run e2e && npm run docs:images
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir } from './lib/browser.mjs';
import { REPO_DIR } from './lib/server.mjs';

const from = artifactsDir();
const to = join(REPO_DIR, 'docs', 'images');
mkdirSync(to, { recursive: true });
const pick = [
  ['incidents.png', 'dashboard-incidents.png'],
  [existsSync(join(from, 'incident-approval.png')) ? 'incident-approval.png' : 'incident.png', 'dashboard-incident.png'],
  ['topology.png', 'dashboard-topology.png'],
  ['incidents-zh-TW.png', 'dashboard-incidents-zh-TW.png'],
];
for (const [src, dst] of pick) {
  if (!existsSync(join(from, src))) {
    console.error(`docs-images: ${src} is missing in ${from}: run npm run e2e first`);
    process.exit(1);
  }
  copyFileSync(join(from, src), join(to, dst));
  console.log(`${src} -> docs/images/${dst}`);
}
