// Contract-shaped fixtures shared by the unit tests and the dev mock server.
import type { Approval } from '../src/api/types';

export function approval(over: Partial<Approval> = {}): Approval {
  return {
    id: 3,
    status: 'pending',
    incident_id: 1,
    proposal_id: 1,
    action: {
      kind: 'restart_pod',
      target_kind: 'pod',
      target: 'postgres-db-0',
      namespace: 'production',
      params: { namespace: 'production' },
      expected_effect: 'postgres-db accepts connections again',
      action_hash: 'a3f1c29b7d0e44aa5b6c7d8e9f00112233445566778899aabbccddeeff001122',
      pattern: 'restart_pod:postgres-db',
    },
    requested_by: null,
    risk: { base: 'HIGH', effective: 'HIGH', reason: 'restart_pod on a database in production is HIGH by policy' },
    factors: [
      {
        roles: ['admin', 'devops', 'sre'],
        count: 2,
        signed_by: [{ user: 'alice', role: 'devops', at: '2026-11-25T03:04:00.000Z' }],
        met: false,
      },
    ],
    signatures: [],
    dry_run: {
      passed: true,
      supported: true,
      summary: 'restarts 1 pod of postgres-db',
      pods_affected: 1,
      data_loss: false,
      state_fingerprint: 'fp-1',
      at: '2026-11-25T03:02:00.000Z',
      checks: [
        { name: 'rbac', passed: true, detail: 'pods/delete allowed in production' },
        { name: 'exists', passed: true, detail: 'pod production/postgres-db-0' },
        { name: 'pdb', passed: true, detail: 'no PodDisruptionBudget blocks it' },
      ],
    },
    blast_radius: ['ingress', 'frontend'],
    savings_monthly_usd: null,
    created_at: '2026-11-25T03:02:00.000Z',
    updated_at: '2026-11-25T03:04:00.000Z',
    expires_at: '2026-11-25T04:02:00.000Z',
    reason: '',
    result: null,
    can_sign: true,
    why_not: '',
    ...over,
  };
}
