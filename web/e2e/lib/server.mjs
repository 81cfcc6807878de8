// Starts a real `awoooi serve` for one test, the way test/integration/harness.py does: its own
// temporary data directory and config, a free loopback port, --demo users whose tokens are read
// from what the server prints at start. Stopped (SIGTERM) and removed after the test.
//
// If this build of awoooi does not serve the dashboard at / yet (the route is wired by the
// server, see docs/dashboard.md), a small front server serves the embedded build's dist/ files
// with the same rules as src/server/web_assets.cc and passes /api, /healthz, /readyz and
// /metrics through to awoooi unchanged (SSE included). It says so on stderr.
import { spawn, execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as netServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = resolve(HERE, '../..');
export const REPO_DIR = resolve(WEB_DIR, '..');
export const AWOOOI_BIN = resolve(process.env.AWOOOI_BIN || join(REPO_DIR, 'build/release/awoooi'));

export function freePort() {
  return new Promise((res, rej) => {
    const s = netServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export async function waitFor(fn, { timeout = 20000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

export class AwoooiServer {
  constructor({ config = '', extraUsers = [] } = {}) {
    this.tmp = mkdtempSync(join(tmpdir(), 'awoooi-e2e-'));
    this.dataDir = join(this.tmp, 'data');
    this.configPath = join(this.tmp, 'awoooi.yaml');
    writeFileSync(this.configPath, config);
    this.extraUsers = extraUsers; // [{user, role}]: tokens made with `awoooi token create`
    this.tokens = {};
    this.out = '';
    this.err = '';
    this.front = null;
  }

  async start() {
    if (!existsSync(AWOOOI_BIN)) {
      throw new Error(`awoooi binary not found at ${AWOOOI_BIN}: build it (cmake --build --preset release --target awoooi) or set AWOOOI_BIN`);
    }
    for (const { user, role } of this.extraUsers) {
      const out = execFileSync(AWOOOI_BIN, ['token', 'create', '--config', this.configPath, '--data-dir', this.dataDir, '--user', user, '--role', role], { encoding: 'utf8' });
      const m = out.match(/awi_[0-9a-f]+/);
      if (!m) throw new Error(`awoooi token create printed no token: ${out}`);
      this.tokens[user] = m[0];
    }
    this.port = await freePort();
    this.apiBase = `http://127.0.0.1:${this.port}`;
    this.proc = spawn(
      AWOOOI_BIN,
      ['serve', '--config', this.configPath, '--data-dir', this.dataDir, '--listen', `127.0.0.1:${this.port}`, '--demo'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc.stdout.on('data', (d) => (this.out += d));
    this.proc.stderr.on('data', (d) => (this.err += d));
    this.exited = new Promise((r) => this.proc.once('exit', (code, sig) => r({ code, sig })));
    await waitFor(
      async () => {
        if (this.proc.exitCode !== null) throw new Error(`awoooi exited: ${this.err.slice(-2000)}`);
        const r = await fetch(`${this.apiBase}/healthz`);
        return r.status === 200;
      },
      { what: 'awoooi /healthz' },
    );
    for (const m of this.out.matchAll(/^\s+(\w+) \((\w+)\): (awi_[0-9a-f]+)$/gm)) this.tokens[m[1]] = m[3];
    if (!this.tokens.alice) throw new Error(`no demo tokens in the server's output:\n${this.out}`);

    const root = await fetch(`${this.apiBase}/`);
    const type = root.headers.get('content-type') || '';
    if (type.startsWith('text/html')) {
      this.base = this.apiBase;
      this.frontNote = '';
    } else {
      this.front = await startFront(this.apiBase);
      this.base = this.front.base;
      this.frontNote = `awoooi does not serve the dashboard at / yet: serving ${this.front.dist} in front of it`;
    }
    return this;
  }

  async stop() {
    this.front?.close();
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }

  async api(method, path, { token = this.tokens.alice, body } = {}) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${this.apiBase}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: r.status, body: json };
  }

  async postAlertFile(file) {
    const body = readFileSync(resolve(REPO_DIR, file), 'utf8');
    const r = await fetch(`${this.apiBase}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    if (r.status !== 200) throw new Error(`posting ${file}: HTTP ${r.status} ${await r.text()}`);
    return r.json();
  }
}

// --- the front server used only while awoooi itself does not serve the dashboard ---

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};
export const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function distDir() {
  const candidates = [
    process.env.AWOOOI_WEB_DIST,
    join(dirname(AWOOOI_BIN), 'web/dist'),
    join(WEB_DIR, 'dist'),
  ].filter(Boolean);
  const found = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!found) throw new Error(`no dashboard build found (looked in ${candidates.join(', ')}): run the CMake build or npm run build`);
  return found;
}

function isServerPath(p) {
  return p === '/api' || p.startsWith('/api/') || p === '/metrics' || p === '/healthz' || p === '/readyz';
}

function startFront(apiBase) {
  const dist = distDir();
  const api = new URL(apiBase);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (isServerPath(path)) {
      const upstream = httpRequest(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
      res.on('close', () => upstream.destroy());
      return;
    }
    let file = path === '/' ? '/index.html' : path;
    const last = file.slice(file.lastIndexOf('/') + 1);
    const exists = !file.includes('/.') && existsSync(join(dist, file)) && !file.endsWith('/');
    if (!exists) {
      if (file.startsWith('/assets/') || file.includes('/.') || last.includes('.')) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end('{"error":{"code":"not_found","message":"no such route"}}');
        return;
      }
      file = '/index.html';
    }
    const type = TYPES[extname(file)] || 'application/octet-stream';
    const headers = {
      'Content-Type': type,
      'Cache-Control': file.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    };
    if (type.startsWith('text/html')) {
      headers['Content-Security-Policy'] = CSP;
      headers['Referrer-Policy'] = 'no-referrer';
    }
    res.writeHead(200, headers);
    res.end(readFileSync(join(dist, file)));
  });
  return new Promise((res) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      res({
        base: `http://127.0.0.1:${port}`,
        dist,
        close: () => {
          server.closeAllConnections?.();
          server.close();
        },
      });
    });
  });
}
