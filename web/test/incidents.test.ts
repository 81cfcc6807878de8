import { describe, expect, it } from 'vitest';
import type { Incident } from '../src/api/types';
import {
  EMPTY_FILTER,
  foldIncidents,
  incidentToReload,
  matchesFilter,
  upsertIncident,
  visibleIncidents,
} from '../src/state/incidents';

function inc(id: number, over: Partial<Incident> = {}): Incident {
  return {
    id,
    status: 'firing',
    service: `svc-${id}`,
    alertname: 'HighErrorRate',
    severity: 'critical',
    title: `incident ${id}`,
    opened_at: '2026-11-25T03:00:00.000Z',
    updated_at: '2026-11-25T03:00:00.000Z',
    resolved_at: null,
    alert_count: 1,
    firing_count: 1,
    version: 1,
    parent_id: null,
    acknowledged_by: null,
    acknowledged_at: null,
    ...over,
  };
}

describe('upsertIncident', () => {
  it('adds new incidents newest first and replaces known ones', () => {
    let list = upsertIncident([], inc(1));
    list = upsertIncident(list, inc(3));
    list = upsertIncident(list, inc(2));
    expect(list.map((i) => i.id)).toEqual([3, 2, 1]);
    list = upsertIncident(list, inc(2, { version: 2, status: 'resolved' }));
    expect(list.find((i) => i.id === 2)?.status).toBe('resolved');
  });

  it('ignores an answer older than what is held (a slow reload racing a newer one)', () => {
    const list = [inc(1, { version: 5, firing_count: 3 })];
    expect(upsertIncident(list, inc(1, { version: 4, firing_count: 1 }))).toBe(list);
  });
});

describe('incidentToReload', () => {
  const list = [inc(1, { version: 3 })];
  it('reloads the incident an event names when the event is newer', () => {
    expect(incidentToReload(list, 'incident.updated', { incident_id: 1, version: 4 })).toBe(1);
    expect(incidentToReload(list, 'incident.opened', { incident_id: 9, version: 1 })).toBe(9);
  });
  it('skips events that are not newer than what is held', () => {
    expect(incidentToReload(list, 'incident.updated', { incident_id: 1, version: 3 })).toBeNull();
  });
  it('always reloads acknowledgements and links, which need not bump the version', () => {
    expect(incidentToReload(list, 'incident.acknowledged', { incident_id: 1, version: 3 })).toBe(1);
    expect(incidentToReload(list, 'incident.linked', { incident_id: 1, version: 3 })).toBe(1);
  });
  it('ignores other events and malformed data', () => {
    expect(incidentToReload(list, 'approval.signed', { approval_id: 1, incident_id: 1 })).toBeNull();
    expect(incidentToReload(list, 'incident.updated', 'garbage')).toBeNull();
    expect(incidentToReload(list, 'incident.updated', null)).toBeNull();
  });
});

describe('foldIncidents', () => {
  it('folds correlated incidents under the incident that caused them', () => {
    const list = [inc(3, { parent_id: 1 }), inc(2), inc(1), inc(4, { parent_id: 1 })];
    const roots = foldIncidents(list);
    expect(roots.map((n) => n.incident.id)).toEqual([2, 1]);
    expect(roots[1].children.map((c) => c.id)).toEqual([3, 4]);
    expect(roots[0].children).toEqual([]);
  });

  it('folds a chain under its top-most shown ancestor', () => {
    const roots = foldIncidents([inc(1), inc(2, { parent_id: 1 }), inc(3, { parent_id: 2 })]);
    expect(roots).toHaveLength(1);
    expect(roots[0].children.map((c) => c.id)).toEqual([2, 3]);
  });

  it('shows a child whose parent is not loaded as a root that names its parent', () => {
    const roots = foldIncidents([inc(5, { parent_id: 2 })]);
    expect(roots).toEqual([{ incident: expect.objectContaining({ id: 5 }), children: [], orphanOf: 2 }]);
  });

  it('survives a cycle in parent links without looping', () => {
    const roots = foldIncidents([inc(1, { parent_id: 2 }), inc(2, { parent_id: 1 })]);
    expect(roots.length).toBeGreaterThan(0);
  });

  it('puts firing before resolved, then the worse severity, then the newest', () => {
    const roots = foldIncidents([
      inc(1, { severity: 'warning' }),
      inc(2, { status: 'resolved', severity: 'critical' }),
      inc(3, { severity: 'critical' }),
      inc(4, { severity: 'warning' }),
    ]);
    expect(roots.map((n) => n.incident.id)).toEqual([3, 4, 1, 2]);
  });
});

describe('filters', () => {
  it('match status, part of the service name (any case) and severity', () => {
    const i = inc(1, { service: 'postgres-db', severity: 'error' });
    expect(matchesFilter(i, EMPTY_FILTER)).toBe(true);
    expect(matchesFilter(i, { ...EMPTY_FILTER, service: 'POSTGRES' })).toBe(true);
    expect(matchesFilter(i, { ...EMPTY_FILTER, service: 'frontend' })).toBe(false);
    expect(matchesFilter(i, { ...EMPTY_FILTER, status: 'resolved' })).toBe(false);
    expect(matchesFilter(i, { ...EMPTY_FILTER, severity: 'error' })).toBe(true);
    expect(matchesFilter(i, { ...EMPTY_FILTER, severity: 'critical' })).toBe(false);
  });

  it('filter before folding: a matching child of a filtered-out parent stands alone', () => {
    const list = [inc(1, { service: 'postgres-db' }), inc(2, { service: 'frontend', parent_id: 1 })];
    const nodes = visibleIncidents(list, { ...EMPTY_FILTER, service: 'front' });
    expect(nodes).toEqual([{ incident: expect.objectContaining({ id: 2 }), children: [], orphanOf: 1 }]);
  });
});
