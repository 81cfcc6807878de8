// Topology view rules as plain functions: which service to show first, and which services and
// edges to highlight for a selected service's root cause and blast radius.
import type { BlastRadius, RootCause, Topology } from '../api/types';
import { severityRank } from './incidents';

// The service whose analysis shows the most: an unhealthy service that no other unhealthy
// service depends on, directly or not (the top-most symptom; its root-cause search reaches
// everything below it). Ties go to the worse health, then the name. '' when all are healthy.
export function defaultFocus(t: Topology): string {
  const unhealthy = new Set(t.services.filter((s) => s.health && s.health !== 'none').map((s) => s.name));
  if (unhealthy.size === 0) return '';
  const down = new Map<string, string[]>();
  for (const e of t.edges) {
    if (!down.has(e.from)) down.set(e.from, []);
    down.get(e.from)!.push(e.to);
  }
  // Every service reachable downstream from an unhealthy service (excluding itself).
  const below = new Set<string>();
  for (const start of unhealthy) {
    const seen = new Set<string>([start]);
    const queue = [...(down.get(start) ?? [])];
    while (queue.length) {
      const n = queue.shift()!;
      if (seen.has(n)) continue;
      seen.add(n);
      below.add(n);
      queue.push(...(down.get(n) ?? []));
    }
  }
  const health = new Map(t.services.map((s) => [s.name, s.health]));
  const tops = Array.from(unhealthy).filter((s) => !below.has(s));
  const pool = tops.length ? tops : Array.from(unhealthy); // a cycle of unhealthy services
  pool.sort((a, b) => severityRank(health.get(b) ?? '') - severityRank(health.get(a) ?? '') || a.localeCompare(b));
  return pool[0];
}

export interface Highlight {
  selected: string;
  rootCauses: Set<string>; // role "cause"
  symptoms: Set<string>; // unhealthy on the way, but explained by a cause below
  blast: Set<string>;
  pathEdges: Set<string>; // "from->to" on a root-cause evidence path
}

export function edgeKey(from: string, to: string): string {
  return `${from}->${to}`;
}

export function highlightFor(selected: string, rc: RootCause | null, br: BlastRadius | null): Highlight {
  const h: Highlight = {
    selected,
    rootCauses: new Set(),
    symptoms: new Set(),
    blast: new Set(),
    pathEdges: new Set(),
  };
  for (const c of rc?.root_causes ?? []) {
    if (c.role === 'cause' || (c.role === 'self' && (rc?.root_causes.length ?? 0) === 1)) h.rootCauses.add(c.service);
    else if (c.role === 'symptom') h.symptoms.add(c.service);
    if (c.role === 'cause') {
      for (let i = 0; i + 1 < c.path.length; i++) h.pathEdges.add(edgeKey(c.path[i], c.path[i + 1]));
    }
  }
  for (const a of br?.affected ?? []) {
    if (a.service !== selected) h.blast.add(a.service);
  }
  return h;
}
