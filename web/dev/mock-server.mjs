#!/usr/bin/env node
// A development stand-in for the awoooi API, shaped exactly as API-CONTRACT.md, to work on the
// dashboard before the server routes exist (approvals, trust, audit, acknowledge, proposals).
// It is NOT used by the e2e tests (they start the real awoooi) nor by the embedded build.
//
//   npm run build && npm run mock            # http://127.0.0.1:8090, demo data seeded
//   node dev/mock-server.mjs --listen 127.0.0.1:8091 --empty
//   AWOOOI_DEV_API=http://127.0.0.1:8090 npm run dev   # Vite dev server proxying /api here
//
// Tokens are printed at start, one per demo user, like `awoooi serve --demo`.
// It also understands `serve --listen H:P --demo ...` and `token create --user U --role R` so a
// developer can point a local copy of the e2e runner at it (AWOOOI_BIN=dev/fake-awoooi) to try
// test code before the server side lands; the committed tests never do.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const tokenOf = (user) => 'awi_' + createHash('sha256').update(`mock:${user}`).digest('hex');

// `token create` (e2e-runner compatible): remember the user in the data dir, print a token.
if (argv[0] === 'token') {
  const dataDir = opt('--data-dir', 'awoooi-data');
  const user = opt('--user');
  const role = opt('--role', 'viewer');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'mock-users.json');
  const users = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  users[user] = role;
  writeFileSync(file, JSON.stringify(users));
  console.log(tokenOf(user));
  process.exit(0);
}

const listen = opt('--listen', '127.0.0.1:8090');
const dist = resolve(opt('--dist', join(HERE, '..', 'dist')));
const seed = argv[0] !== 'serve' && !argv.includes('--empty');
const [host, portText] = [listen.slice(0, listen.lastIndexOf(':')), listen.slice(listen.lastIndexOf(':') + 1)];

const users = { alice: 'devops', bob: 'sre', carol: 'cto', dave: 'ciso', admin: 'admin', victor: 'viewer' };
const dataDir = opt('--data-dir');
if (dataDir && existsSync(join(dataDir, 'mock-users.json'))) Object.assign(users, JSON.parse(readFileSync(join(dataDir, 'mock-users.json'), 'utf8')));
const byToken = new Map(Object.keys(users).map((u) => [tokenOf(u), u]));

const now = () => new Date().toISOString();
let seq = 0;

// --- state ---
const topology = {
  services: [
    ['ingress', 'ingress', 'platform-team'],
    ['frontend', 'frontend', 'web-team'],
    ['auth-service', 'service', 'identity-team'],
    ['product-api', 'service', 'catalog-team'],
    ['order-api', 'service', 'orders-team'],
    ['postgres-db', 'database', 'dba-team'],
  ].map(([name, kind, owner]) => ({ name, kind, namespace: 'production', owners: [owner], labels: {}, health: 'none', learned: false })),
  edges: [
    ['ingress', 'frontend'],
    ['frontend', 'auth-service'],
    ['frontend', 'product-api'],
    ['frontend', 'order-api'],
    ['auth-service', 'postgres-db'],
    ['product-api', 'postgres-db'],
    ['order-api', 'postgres-db'],
  ].map(([from, to]) => ({ from, to, learned: false })),
};
const incidents = []; // with .alerts
const analyses = new Map(); // incident id -> { json, thinking: [], done, viewers: [] }
const proposals = [];
const approvals = [];
const trust = new Map();
const audit = [];
let clusterVersion = 1;
const sseClients = new Set();

function publish(type, data) {
  const text = `event: ${type}\nid: ${++seq}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const res of sseClients) res.write(text);
}

function addAudit(kind, actor, subject, detail) {
  const prev = audit.length ? audit[audit.length - 1].hash : '0'.repeat(64);
  const entry = { seq: audit.length + 1, at: now(), kind, actor, subject, detail };
  entry.prev_hash = prev;
  entry.hash = createHash('sha256').update(prev + JSON.stringify(entry)).digest('hex');
  audit.push(entry);
}

const stateFingerprint = () => createHash('sha256').update(`cluster:${clusterVersion}`).digest('hex').slice(0, 32);

function dryRun(action) {
  const pvc = action.kind === 'delete_pvc';
  return {
    passed: true,
    supported: true,
    summary: pvc ? `deletes PVC ${action.namespace}/${action.target} (not mounted by any pod)` : `restarts 1 pod (${action.namespace}/${action.target})`,
    pods_affected: pvc ? 0 : 1,
    data_loss: pvc,
    state_fingerprint: stateFingerprint(),
    at: now(),
    checks: [
      { name: 'rbac', passed: true, detail: pvc ? 'persistentvolumeclaims/delete allowed' : 'pods/eviction allowed in production' },
      { name: 'parameters', passed: true, detail: 'valid' },
      { name: 'exists', passed: true, detail: `${pvc ? 'pvc' : 'pod'} ${action.namespace}/${action.target}` },
      { name: 'pdb', passed: true, detail: pvc ? 'no pod uses it' : 'postgres-db-pdb allows 1 disruption' },
      { name: 'blast_radius', passed: true, detail: pvc ? 'nothing depends on it' : 'ingress, frontend' },
    ],
  };
}

const FACTORS = {
  LOW: [],
  MEDIUM: [{ roles: ['admin', 'devops', 'sre'], count: 1 }],
  HIGH: [{ roles: ['admin', 'devops', 'sre'], count: 2 }],
  CRITICAL: [
    { roles: ['cto'], count: 1 },
    { roles: ['ciso'], count: 1 },
  ],
};
const riskOf = (kind) => ({ delete_pvc: 'CRITICAL', restart_pod: 'HIGH', rollout_restart: 'HIGH', scale: 'MEDIUM' })[kind] ?? 'LOW';

function createApproval({ action, incident_id = null, proposal_id = null, requested_by = null, savings = null, blast = [] }) {
  const risk = riskOf(action.kind);
  const a = {
    id: approvals.length + 1,
    status: 'pending',
    incident_id,
    proposal_id,
    action: {
      kind: action.kind,
      target_kind: action.target_kind ?? (action.kind === 'delete_pvc' ? 'pvc' : 'pod'),
      target: action.target,
      namespace: action.params?.namespace ?? 'production',
      params: action.params ?? {},
      expected_effect: action.expected_effect ?? '',
      action_hash: createHash('sha256').update(JSON.stringify(action)).digest('hex'),
      pattern: `${action.kind}:${action.target.replace(/-\d+$/, '')}`,
    },
    requested_by,
    risk: {
      base: risk,
      effective: risk,
      reason:
        risk === 'CRITICAL'
          ? 'deleting a volume loses data: CRITICAL by policy, never downgraded'
          : risk === 'HIGH'
            ? 'restart_pod on a database in production: HIGH by policy (trust 0 of 10)'
            : `${action.kind}: ${risk} by policy`,
    },
    factors: FACTORS[risk].map((f) => ({ ...f, signed_by: [], met: false })),
    signatures: [],
    dry_run: dryRun({ ...action, namespace: action.params?.namespace ?? 'production' }),
    blast_radius: blast,
    savings_monthly_usd: savings,
    created_at: now(),
    updated_at: now(),
    expires_at: new Date(Date.now() + 3600e3).toISOString(),
    reason: '',
    result: null,
  };
  approvals.push(a);
  addAudit('proposal', requested_by ?? 'system', `approval/${a.id}`, { action: a.action.pattern, risk });
  publish('approval.requested', { approval_id: a.id, incident_id, status: a.status });
  return a;
}

function view(a, user) {
  const role = users[user];
  let why = '';
  if (a.status !== 'pending') why = `the request is ${a.status}`;
  else if (role === 'viewer') why = 'viewers cannot sign';
  else if (a.requested_by === user) why = 'you requested this action';
  else if (a.signatures.some((s) => s.user === user)) why = 'you already signed';
  else if (!a.factors.some((f) => !f.met && f.roles.includes(role))) why = `no open signature needs the ${role} role`;
  return { ...a, can_sign: !why, why_not: why };
}

function finish(a, user) {
  const again = dryRun(a.action);
  if (again.state_fingerprint !== a.dry_run.state_fingerprint) {
    a.status = 'voided';
    a.reason = `the cluster changed between signatures: the dry-run state is ${again.state_fingerprint.slice(0, 8)}, signers saw ${a.dry_run.state_fingerprint.slice(0, 8)}`;
    addAudit('void', 'system', `approval/${a.id}`, { reason: a.reason });
    publish('approval.voided', { approval_id: a.id, incident_id: a.incident_id, status: a.status });
    return;
  }
  a.status = 'executing';
  publish('approval.executing', { approval_id: a.id, incident_id: a.incident_id, status: a.status });
  addAudit('execution', user, `approval/${a.id}`, { action: a.action.pattern });
  const started = now();
  setTimeout(() => {
    a.status = 'succeeded';
    a.updated_at = now();
    a.result = {
      outcome: 'succeeded',
      detail: a.action.kind === 'delete_pvc' ? 'PVC deleted' : 'pod restarted; ready after 4.1 s',
      output: a.action.kind === 'delete_pvc' ? `persistentvolumeclaim "${a.action.target}" deleted` : `pod "${a.action.target}" evicted\npod "${a.action.target}" ready`,
      started_at: started,
      finished_at: now(),
    };
    const t = trust.get(a.action.pattern) ?? { pattern: a.action.pattern, score: 0, approvals: 0, rejections: 0, risk: a.risk.base, effective: a.risk.base };
    t.score += 1;
    t.approvals += 1;
    t.updated_at = now();
    trust.set(a.action.pattern, t);
    addAudit('result', 'system', `approval/${a.id}`, { outcome: 'succeeded' });
    addAudit('trust', 'system', a.action.pattern, { score: t.score });
    publish('approval.succeeded', { approval_id: a.id, incident_id: a.incident_id, status: a.status });
    publish('trust.changed', { pattern: a.action.pattern });
  }, 400);
}

// --- the demo incident and its analysis (shaped like the real server's) ---
const THINKING = [
  '1. Incident: alert HighErrorRate (critical) on frontend, a frontend in the topology.\n',
  '2. Root cause: 1 unhealthy dependency: postgres-db (database, critical) via frontend -> auth-service -> postgres-db. ',
  'Ranking puts databases before caches before queues, so postgres-db comes first.\n',
  '3. Blast radius: 1 upstream service(s) affected: ingress.\n',
  '4. Playbook high-5xx-unhealthy-database applies because the alert name matches "*ErrorRate*" and the top root cause is a database.\n',
  '5. The errors start at frontend, but every request path leads to postgres-db (frontend -> auth-service -> postgres-db), which has active alerts of its own.\n',
  '6. Restarting the callers would not help while the database is unhealthy; restarting one database pod is the smallest change that can clear stuck connections or a wedged process.\n',
  '7. Proposed action 1: restart_pod postgres-db-0 (namespace=production) - expected effect: postgres-db accepts connections again and the 5xx rate of frontend falls back under the alert threshold\n',
  '8. Proposed action 2: investigate postgres-db (check=connection count against max_connections, slow queries, disk and replication lag, namespace=production)\n',
  '9. Confidence 0.80 (set by the playbook). Every action still goes through the risk policy, the dry-run and the required signatures before anything runs.\n',
];

function ingestDemo(body) {
  const created = [];
  for (const al of body.alerts ?? []) {
    const service = al.labels.service;
    let inc = incidents.find((i) => i.service === service && i.alertname === al.labels.alertname && i.status === 'firing');
    if (inc) {
      inc.alert_count += 1;
      inc.version += 1;
      publish('incident.updated', { incident_id: inc.id, version: inc.version });
      continue;
    }
    const id = incidents.length + 1;
    const at = now();
    // Redacted as the server would: labels instead of the IP and e-mail.
    let ipN = 0;
    let mailN = 0;
    const redact = (s) =>
      String(s ?? '')
        .replace(/\b\d{1,3}(\.\d{1,3}){3}\b/g, () => `[IP_${++ipN}]`)
        .replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, () => `[EMAIL_${++mailN}]`);
    inc = {
      id,
      status: 'firing',
      service,
      alertname: al.labels.alertname,
      severity: al.labels.severity ?? 'warning',
      title: al.annotations.summary ?? al.labels.alertname,
      opened_at: at,
      updated_at: at,
      resolved_at: null,
      alert_count: 1,
      firing_count: 1,
      version: 1,
      parent_id: null,
      acknowledged_by: null,
      acknowledged_at: null,
      group_labels: { service, alertname: al.labels.alertname },
      alerts: [
        {
          id,
          fingerprint: createHash('sha256').update(JSON.stringify(al.labels)).digest('hex').slice(0, 16),
          status: 'firing',
          labels: al.labels,
          annotations: { summary: redact(al.annotations.summary), description: redact(al.annotations.description) },
          starts_at: al.startsAt,
          ends_at: null,
          generator_url: al.generatorURL,
          source: 'alertmanager',
          received_at: at,
          updated_at: at,
          receive_count: 1,
        },
      ],
    };
    incidents.push(inc);
    const svc = topology.services.find((s) => s.name === service);
    if (svc) svc.health = inc.severity;
    addAudit('alert.received', 'system', `incident/${id}`, { service, alertname: inc.alertname });
    publish('incident.opened', { incident_id: id, version: 1 });
    created.push(id);
  }
  // The frontend incident's root cause is the postgres-db incident's service: link it.
  const db = incidents.find((i) => i.service === 'postgres-db' && i.status === 'firing');
  for (const inc of incidents) {
    if (inc.service === 'frontend' && db && inc.parent_id == null) {
      inc.parent_id = db.id;
      inc.version += 1;
      publish('incident.linked', { incident_id: inc.id, version: inc.version });
    }
  }
  for (const id of created) analyse(incidents.find((i) => i.id === id));
  return created;
}

function analysisJson(inc) {
  const frontend = inc.service === 'frontend';
  return {
    incident_id: inc.id,
    incident_version: inc.version,
    service: inc.service,
    alertname: inc.alertname,
    severity: inc.severity,
    parent_id: inc.parent_id,
    root_cause: {
      service: inc.service,
      depth: 3,
      root_causes: frontend
        ? [{ service: 'postgres-db', kind: 'database', rank: 1, depth: 2, severity: 'critical', role: 'cause', path: ['frontend', 'auth-service', 'postgres-db'], reason: "database (kind priority 1 of 4); cause: nothing it depends on within 2 hops is unhealthy; severity critical; 2 hops below 'frontend'", explains: ['frontend', 'postgres-db'], explains_count: 2, unhealthy_count: 2 }]
        : [{ service: 'postgres-db', kind: 'database', rank: 1, depth: 0, severity: 'critical', role: 'self', path: ['postgres-db'], reason: 'the service itself is unhealthy and has no unhealthy dependency', explains: ['postgres-db'], explains_count: 1, unhealthy_count: 2 }],
    },
    blast_radius: frontend
      ? { service: 'frontend', depth: 3, affected: [{ service: 'ingress', kind: 'ingress', depth: 1, health: 'none', path: ['frontend', 'ingress'] }] }
      : { service: 'postgres-db', depth: 3, affected: ['auth-service', 'product-api', 'order-api'].map((s) => ({ service: s, kind: 'service', depth: 1, health: 'none', path: ['postgres-db', s] })).concat([{ service: 'frontend', kind: 'frontend', depth: 2, health: 'critical', path: ['postgres-db', 'auth-service', 'frontend'] }, { service: 'ingress', kind: 'ingress', depth: 3, health: 'none', path: ['postgres-db', 'auth-service', 'frontend', 'ingress'] }]) },
    context: '',
    proposal: {
      summary: frontend
        ? 'frontend returns 5xx because the database postgres-db is unhealthy; restart the database pod and watch the error rate.'
        : 'postgres-db is at its connection limit; restart the pod to clear stuck connections.',
      root_cause: { service: 'postgres-db', kind: 'database', evidence: "database (kind priority 1 of 4); cause: nothing it depends on within 2 hops is unhealthy; severity critical; 2 hops below 'frontend'" },
      blast_radius: frontend ? ['ingress'] : ['auth-service', 'product-api', 'order-api', 'frontend', 'ingress'],
      actions: [
        { type: 'restart_pod', target_kind: 'pod', target: 'postgres-db-0', parameters: { namespace: 'production' }, expected_effect: 'postgres-db accepts connections again and the 5xx rate of frontend falls back under the alert threshold', note: '', action_hash: '' },
      ],
      confidence: 0.8,
      reasoning: THINKING.join(''),
      reasoner: 'playbook',
      fallback_reason: '',
    },
    proposal_id: null,
  };
}

function analyse(inc) {
  const entry = { thinking: [], done: false, viewers: new Set(), json: null };
  analyses.set(inc.id, entry);
  let i = 0;
  const step = () => {
    if (i < THINKING.length) {
      const chunk = THINKING[i++];
      entry.thinking.push(chunk);
      for (const v of entry.viewers) sseSend(v, 'thinking', chunk);
      setTimeout(step, 180);
      return;
    }
    const json = analysisJson(inc);
    entry.json = json;
    entry.done = true;
    if (inc.service === 'frontend') {
      const p = { id: proposals.length + 1, incident_id: inc.id, incident_version: inc.version, reasoner: 'playbook', confidence: 0.8, summary: json.proposal.summary, root_cause: json.proposal.root_cause, fallback_reason: '', created_at: now(), actions: [] };
      proposals.push(p);
      json.proposal_id = p.id;
      const a = createApproval({ action: { kind: 'restart_pod', target: 'postgres-db-0', params: { namespace: 'production' }, expected_effect: json.proposal.actions[0].expected_effect }, incident_id: inc.id, proposal_id: p.id, blast: ['ingress', 'frontend'] });
      p.actions.push({ id: 1, ordinal: 1, kind: 'restart_pod', target_kind: 'pod', target: 'postgres-db-0', namespace: 'production', params: { namespace: 'production' }, expected_effect: a.action.expected_effect, valid: true, note: '', action_hash: a.action.action_hash, approval_id: a.id, status: 'approval' });
    }
    addAudit('analysis', 'system', `incident/${inc.id}`, { root_cause: 'postgres-db' });
    for (const v of entry.viewers) {
      sseSend(v, 'proposal', JSON.stringify(json));
      v.end();
    }
    entry.viewers.clear();
    publish('incident.analysis', { incident_id: inc.id, version: inc.version });
  };
  setTimeout(step, 300);
}

function sseSend(res, event, data) {
  res.write(`event: ${event}\n${String(data).split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`);
}

// --- HTTP ---
function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
const error = (res, status, code, message) => json(res, status, { error: { code, message } });
const stripAlerts = ({ alerts, ...i }) => i;

async function readBody(req) {
  let s = '';
  for await (const c of req) s += c;
  try {
    return s ? JSON.parse(s) : {};
  } catch {
    return null;
  }
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const path = url.pathname;
  const q = url.searchParams;
  if (path === '/healthz') return json(res, 200, { status: 'ok' });
  if (path === '/api/v1/alerts/alertmanager' && req.method === 'POST') {
    const body = await readBody(req);
    if (!body) return error(res, 400, 'invalid_argument', 'not JSON');
    const ids = ingestDemo(body);
    return json(res, 200, { status: 'stored', alerts: body.alerts?.length ?? 0, incidents: ids });
  }
  if (!path.startsWith('/api/')) {
    let file = path === '/' ? '/index.html' : path;
    if (!existsSync(join(dist, file)) || file.includes('..')) file = '/index.html';
    if (!existsSync(join(dist, file))) return error(res, 404, 'not_found', `no dashboard build in ${dist}: npm run build`);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    return res.end(readFileSync(join(dist, file)));
  }
  const auth = (req.headers.authorization ?? '').replace(/^Bearer /, '') || q.get('access_token') || '';
  const user = byToken.get(auth);
  if (!user) return error(res, 401, 'unauthenticated', 'missing or unknown token');
  const role = users[user];
  const m = (re) => path.match(re);
  let g;

  if (path === '/api/v1/whoami') return json(res, 200, { user, role });
  if (path === '/api/v1/events') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(': stream open\n\n');
    sseClients.add(res);
    const beat = setInterval(() => res.write(': heartbeat\n\n'), 15000);
    req.on('close', () => {
      clearInterval(beat);
      sseClients.delete(res);
    });
    return;
  }
  if (path === '/api/v1/incidents') {
    let list = incidents.slice().reverse();
    if (q.get('status')) list = list.filter((i) => i.status === q.get('status'));
    if (q.get('service')) list = list.filter((i) => i.service === q.get('service'));
    return json(res, 200, { incidents: list.map(stripAlerts), next_before: null });
  }
  if ((g = m(/^\/api\/v1\/incidents\/(\d+)$/))) {
    const inc = incidents.find((i) => i.id === +g[1]);
    return inc ? json(res, 200, inc) : error(res, 404, 'not_found', `incident ${g[1]} not found`);
  }
  if ((g = m(/^\/api\/v1\/incidents\/(\d+)\/acknowledge$/)) && req.method === 'POST') {
    const inc = incidents.find((i) => i.id === +g[1]);
    if (!inc) return error(res, 404, 'not_found', `incident ${g[1]} not found`);
    if (role === 'viewer') return error(res, 403, 'permission_denied', 'viewers cannot acknowledge');
    inc.acknowledged_by = user;
    inc.acknowledged_at = now();
    publish('incident.acknowledged', { incident_id: inc.id, version: inc.version });
    return json(res, 200, stripAlerts(inc));
  }
  if ((g = m(/^\/api\/v1\/incidents\/(\d+)\/analysis$/))) {
    const a = analyses.get(+g[1]);
    return a?.done ? json(res, 200, a.json) : error(res, 404, 'not_found', `incident ${g[1]} has no analysis yet; it is queued`);
  }
  if ((g = m(/^\/api\/v1\/incidents\/(\d+)\/thinking$/))) {
    const a = analyses.get(+g[1]);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write(': stream open\n\n');
    if (!a) {
      sseSend(res, 'error', '{"message":"no analysis yet"}');
      return res.end();
    }
    if (a.done) {
      sseSend(res, 'thinking', a.thinking.join(''));
      sseSend(res, 'proposal', JSON.stringify(a.json));
      return res.end();
    }
    for (const c of a.thinking) sseSend(res, 'thinking', c);
    a.viewers.add(res);
    req.on('close', () => a.viewers.delete(res));
    return;
  }
  if ((g = m(/^\/api\/v1\/incidents\/(\d+)\/proposals$/))) {
    return json(res, 200, { proposals: proposals.filter((p) => p.incident_id === +g[1]).reverse() });
  }
  if (path === '/api/v1/approvals') {
    let list = approvals.slice().reverse();
    if (q.get('status')) list = list.filter((a) => a.status === q.get('status'));
    return json(res, 200, { approvals: list.map((a) => view(a, user)), next_before: null });
  }
  if ((g = m(/^\/api\/v1\/approvals\/(\d+)$/))) {
    const a = approvals.find((x) => x.id === +g[1]);
    return a ? json(res, 200, view(a, user)) : error(res, 404, 'not_found', `approval ${g[1]} not found`);
  }
  if ((g = m(/^\/api\/v1\/approvals\/(\d+)\/(approve|reject)$/)) && req.method === 'POST') {
    const a = approvals.find((x) => x.id === +g[1]);
    if (!a) return error(res, 404, 'not_found', `approval ${g[1]} not found`);
    const body = (await readBody(req)) ?? {};
    const v = view(a, user);
    if (a.status !== 'pending') return error(res, 409, 'failed_precondition', `the request is ${a.status}`);
    if (!v.can_sign) return error(res, v.why_not === 'you already signed' ? 409 : 403, v.why_not === 'you already signed' ? 'already_exists' : 'permission_denied', v.why_not);
    const at = now();
    if (g[2] === 'reject') {
      a.signatures.push({ user, role, decision: 'reject', comment: body.comment ?? '', at, action_hash: a.action.action_hash, state_fingerprint: a.dry_run.state_fingerprint });
      a.status = 'rejected';
      a.reason = `rejected by ${user}: ${body.comment ?? ''}`;
      a.updated_at = at;
      const t = trust.get(a.action.pattern);
      if (t) {
        t.score = 0;
        t.rejections += 1;
      }
      addAudit('rejection', user, `approval/${a.id}`, { comment: body.comment ?? '' });
      publish('approval.rejected', { approval_id: a.id, incident_id: a.incident_id, status: a.status });
      return json(res, 200, view(a, user));
    }
    if (body.state_fingerprint !== a.dry_run.state_fingerprint) return error(res, 409, 'failed_precondition', 'the state fingerprint shown is stale');
    a.signatures.push({ user, role, decision: 'approve', comment: body.comment ?? '', at, action_hash: a.action.action_hash, state_fingerprint: body.state_fingerprint });
    const f = a.factors.find((x) => !x.met && x.roles.includes(role));
    f.signed_by.push({ user, role, at });
    f.met = f.signed_by.length >= f.count;
    a.updated_at = at;
    addAudit('signature', user, `approval/${a.id}`, { role });
    publish('approval.signed', { approval_id: a.id, incident_id: a.incident_id, status: a.status });
    if (a.factors.every((x) => x.met)) finish(a, user);
    return json(res, 200, view(a, user));
  }
  if (path === '/api/v1/actions' && req.method === 'POST') {
    const body = await readBody(req);
    if (!body?.kind || !body?.target) return error(res, 400, 'invalid_argument', 'kind and target are required');
    if (role === 'viewer') return error(res, 403, 'permission_denied', 'viewers cannot request actions');
    const savings = body.kind === 'delete_pvc' ? 42.5 : null;
    const a = createApproval({ action: body, incident_id: body.incident_id ?? null, requested_by: user, savings });
    return json(res, 201, view(a, user));
  }
  if ((g = m(/^\/api\/v1\/cluster\/pods\/([^/]+)\/([^/]+)\/restart$/)) && req.method === 'POST') {
    if (role !== 'admin') return error(res, 403, 'permission_denied', 'admin only');
    clusterVersion += 1;
    return json(res, 200, { namespace: g[1], name: g[2], restarted: true });
  }
  if (path === '/api/v1/trust') return json(res, 200, { patterns: Array.from(trust.values()) });
  if (path === '/api/v1/audit') {
    let list = audit.slice().reverse();
    if (q.get('kind')) list = list.filter((e) => e.kind === q.get('kind'));
    return json(res, 200, { entries: list.slice(0, +(q.get('limit') ?? 100)), next_before: null });
  }
  if (path === '/api/v1/audit/verify') return json(res, 200, { ok: true, entries: audit.length, checkpoints: Math.floor(audit.length / 10), first_bad: null, reason: '' });
  if (path === '/api/v1/topology') return json(res, 200, topology);
  if ((g = m(/^\/api\/v1\/topology\/([^/]+)\/(root-cause|blast-radius)$/))) {
    const inc = { id: 0, service: decodeURIComponent(g[1]), alertname: '', severity: '', version: 0 };
    const a = analysisJson(inc);
    if (g[2] === 'root-cause') {
      const unhealthyDb = topology.services.find((s) => s.name === 'postgres-db').health !== 'none';
      return json(res, 200, inc.service === 'frontend' && unhealthyDb ? a.root_cause : { service: inc.service, depth: 3, root_causes: [] });
    }
    return json(res, 200, a.blast_radius);
  }
  return error(res, 404, 'not_found', 'no such route (see /api/openapi.json)');
});

server.listen(Number(portText), host === 'localhost' ? '127.0.0.1' : host, () => {
  const { port } = server.address();
  console.log('Demo users (tokens are shown once; each start issues new ones):');
  for (const [u, r] of Object.entries(users)) console.log(`  ${u} (${r}): ${tokenOf(u)}`);
  console.error(`awoooi mock API listening on http://${host}:${port} (dashboard from ${dist})`);
  if (seed) {
    const demo = JSON.parse(readFileSync(join(HERE, '..', '..', 'examples/alerts/demo-incident.json'), 'utf8'));
    ingestDemo(demo);
    setTimeout(() => createApproval({ action: { kind: 'delete_pvc', target: 'data-postgres-backup', params: { namespace: 'production' }, expected_effect: 'frees 200 GiB of unused storage' }, requested_by: 'admin', savings: 42.5 }), 2500);
  }
});
