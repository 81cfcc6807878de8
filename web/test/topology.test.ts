import { describe, expect, it } from 'vitest';
import type { Topology } from '../src/api/types';
import { defaultFocus, highlightFor } from '../src/state/topology';

// The demo world: ingress -> frontend -> {auth-service, product-api, order-api} -> postgres-db.
function demo(health: Record<string, string>): Topology {
  const names = ['ingress', 'frontend', 'auth-service', 'product-api', 'order-api', 'postgres-db'];
  return {
    services: names.map((name) => ({ name, kind: 'service', namespace: 'production', owners: [], labels: {}, health: (health[name] ?? 'none') as never, learned: false })),
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
}

describe('defaultFocus', () => {
  it('picks the top-most unhealthy service, whose analysis reaches the root cause below it', () => {
    expect(defaultFocus(demo({ frontend: 'critical', 'postgres-db': 'critical' }))).toBe('frontend');
  });
  it('prefers the worse health among unrelated unhealthy services, then the name', () => {
    expect(defaultFocus(demo({ 'auth-service': 'warning', 'product-api': 'critical' }))).toBe('product-api');
    expect(defaultFocus(demo({ 'auth-service': 'error', 'order-api': 'error' }))).toBe('auth-service');
  });
  it('is empty when everything is healthy', () => {
    expect(defaultFocus(demo({}))).toBe('');
  });
});

describe('highlightFor', () => {
  it('marks causes, their evidence path and the blast radius (without the selected service)', () => {
    const h = highlightFor(
      'frontend',
      {
        service: 'frontend',
        depth: 3,
        root_causes: [
          { service: 'postgres-db', kind: 'database', rank: 1, depth: 2, severity: 'critical', role: 'cause', path: ['frontend', 'auth-service', 'postgres-db'], reason: '', explains: [], explains_count: 0, unhealthy_count: 0 },
          { service: 'auth-service', kind: 'service', rank: 2, depth: 1, severity: 'warning', role: 'symptom', path: ['frontend', 'auth-service'], reason: '', explains: [], explains_count: 0, unhealthy_count: 0 },
        ],
      },
      { service: 'frontend', depth: 3, affected: [{ service: 'ingress', kind: 'ingress', depth: 1, health: 'none', path: ['frontend', 'ingress'] }] },
    );
    expect([...h.rootCauses]).toEqual(['postgres-db']);
    expect([...h.symptoms]).toEqual(['auth-service']);
    expect([...h.pathEdges]).toEqual(['frontend->auth-service', 'auth-service->postgres-db']);
    expect([...h.blast]).toEqual(['ingress']);
  });
  it('treats a lone "self" candidate as the root cause (the service itself failed)', () => {
    const h = highlightFor(
      'postgres-db',
      { service: 'postgres-db', depth: 3, root_causes: [{ service: 'postgres-db', kind: 'database', rank: 1, depth: 0, severity: 'critical', role: 'self', path: ['postgres-db'], reason: '', explains: [], explains_count: 0, unhealthy_count: 0 }] },
      null,
    );
    expect([...h.rootCauses]).toEqual(['postgres-db']);
  });
});
