// Incident list state, kept as plain functions so the rules are unit-tested: upserting what the
// server answered, deciding which live events need a reload, filtering, and folding correlated
// incidents (parent_id set) under the incident whose service is their root cause.
import type { Incident, IncidentEventData } from '../api/types';

export interface IncidentFilter {
  status: '' | 'firing' | 'resolved';
  service: string;
  severity: '' | 'critical' | 'error' | 'warning' | 'info';
}

export const EMPTY_FILTER: IncidentFilter = { status: '', service: '', severity: '' };

export interface IncidentNode {
  incident: Incident;
  children: Incident[];
  // The parent is known but not shown (filtered out or not loaded): say so on the row.
  orphanOf: number | null;
}

const SEVERITY_ORDER: Record<string, number> = { critical: 4, error: 3, warning: 2, info: 1, none: 0 };

export function severityRank(s: string): number {
  return SEVERITY_ORDER[s] ?? 0;
}

// Newest first, by id (ids grow with time).
export function upsertIncident(list: Incident[], incident: Incident): Incident[] {
  const i = list.findIndex((x) => x.id === incident.id);
  if (i >= 0) {
    // An answer older than what we hold (a slow reload racing a newer one) changes nothing.
    if ((list[i].version ?? 0) > (incident.version ?? 0)) return list;
    const copy = list.slice();
    copy[i] = incident;
    return copy;
  }
  return [incident, ...list].sort((a, b) => b.id - a.id);
}

export function mergeIncidents(list: Incident[], incoming: Incident[]): Incident[] {
  let out = list;
  for (const inc of incoming) out = upsertIncident(out, inc);
  return out;
}

// The incident a live event names, or null when what we hold is already as new as the event.
export function incidentToReload(list: Incident[], type: string, data: unknown): number | null {
  if (!type.startsWith('incident.')) return null;
  const d = data as Partial<IncidentEventData> | null;
  if (!d || typeof d.incident_id !== 'number') return null;
  const have = list.find((x) => x.id === d.incident_id);
  // Acknowledgements and links may not bump the version: always reload those.
  const versionless = type === 'incident.acknowledged' || type === 'incident.linked' || type === 'incident.analysis';
  if (have && !versionless && typeof d.version === 'number' && have.version >= d.version) return null;
  return d.incident_id;
}

export function matchesFilter(i: Incident, f: IncidentFilter): boolean {
  if (f.status && i.status !== f.status) return false;
  if (f.service && !i.service.toLowerCase().includes(f.service.trim().toLowerCase())) return false;
  if (f.severity && i.severity !== f.severity) return false;
  return true;
}

function compareRoots(a: Incident, b: Incident): number {
  // Firing before resolved, then the worst severity, then the newest.
  if (a.status !== b.status) return a.status === 'firing' ? -1 : 1;
  const s = severityRank(b.severity) - severityRank(a.severity);
  if (s !== 0) return s;
  return b.id - a.id;
}

// Folds children under their parent. A child whose parent is not in `list` is shown as a root
// with orphanOf set; chains (a child of a child) fold under the topmost shown ancestor.
export function foldIncidents(list: Incident[]): IncidentNode[] {
  const byId = new Map<number, Incident>();
  for (const i of list) byId.set(i.id, i);
  const topOf = (i: Incident): Incident => {
    let cur = i;
    const seen = new Set<number>([cur.id]);
    while (cur.parent_id != null) {
      const p = byId.get(cur.parent_id);
      if (!p || seen.has(p.id)) break;
      seen.add(p.id);
      cur = p;
    }
    return cur;
  };
  const nodes = new Map<number, IncidentNode>();
  for (const i of list) {
    const top = topOf(i);
    if (top.id === i.id) {
      if (!nodes.has(i.id)) {
        const orphanOf = i.parent_id != null && !byId.has(i.parent_id) ? i.parent_id : null;
        nodes.set(i.id, { incident: i, children: [], orphanOf });
      }
    }
  }
  for (const i of list) {
    const top = topOf(i);
    if (top.id === i.id) continue;
    const parent = nodes.get(top.id);
    if (parent) parent.children.push(i);
    else nodes.set(i.id, { incident: i, children: [], orphanOf: null }); // a cycle of parent links: show as it is
  }
  const roots = Array.from(nodes.values());
  for (const n of roots) n.children.sort((a, b) => a.id - b.id);
  roots.sort((a, b) => compareRoots(a.incident, b.incident));
  return roots;
}

// Filter first, then fold: a child that matches but whose parent does not is shown on its own.
export function visibleIncidents(list: Incident[], f: IncidentFilter): IncidentNode[] {
  return foldIncidents(list.filter((i) => matchesFilter(i, f)));
}

export function distinctServices(list: Incident[]): string[] {
  return Array.from(new Set(list.map((i) => i.service).filter(Boolean))).sort();
}
