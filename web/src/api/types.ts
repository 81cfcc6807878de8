// The shapes of the AWOOOI HTTP API v1 (API-CONTRACT.md / docs/openapi.json). Fields that a
// server of an older build may not send yet are optional; the UI treats a missing one as null.

export type Role = 'admin' | 'devops' | 'sre' | 'cto' | 'ciso' | 'viewer';
export type Severity = 'critical' | 'error' | 'warning' | 'info' | 'none';
export type IncidentStatus = 'firing' | 'resolved';
export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export type ApprovalStatus =
  | 'pending'
  | 'approved'
  | 'executing'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'voided'
  | 'expired';

export const APPROVAL_STATUSES: ApprovalStatus[] = [
  'pending',
  'approved',
  'executing',
  'succeeded',
  'failed',
  'rejected',
  'voided',
  'expired',
];

export interface WhoAmI {
  user: string;
  role: Role;
}

export interface Incident {
  id: number;
  status: IncidentStatus;
  service: string;
  alertname: string;
  severity: Severity | string;
  title: string;
  opened_at: string | null;
  updated_at: string | null;
  resolved_at: string | null;
  alert_count: number;
  firing_count: number;
  version: number;
  parent_id?: number | null;
  acknowledged_by?: string | null;
  acknowledged_at?: string | null;
  group_labels?: Record<string, string>;
}

export interface Alert {
  id: number;
  fingerprint: string;
  status: IncidentStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: string | null;
  ends_at: string | null;
  generator_url: string;
  source: string;
  received_at: string | null;
  updated_at: string | null;
  receive_count: number;
}

export interface IncidentDetail extends Incident {
  alerts: Alert[];
}

export interface IncidentList {
  incidents: Incident[];
  next_before: number | null;
}

export interface RootCauseCandidate {
  service: string;
  kind: string;
  rank: number;
  depth: number;
  severity: Severity;
  role: 'cause' | 'symptom' | 'self';
  path: string[];
  reason: string;
  explains: string[];
  explains_count: number;
  unhealthy_count: number;
}

export interface RootCause {
  service: string;
  depth: number;
  root_causes: RootCauseCandidate[];
}

export interface AffectedService {
  service: string;
  kind: string;
  depth: number;
  health: Severity;
  path: string[];
}

export interface BlastRadius {
  service: string;
  depth: number;
  affected: AffectedService[];
}

export interface ProposedAction {
  type: string;
  target_kind: string;
  target: string;
  parameters: Record<string, unknown>;
  expected_effect: string;
  note: string;
  action_hash: string;
}

export interface AnalysisProposal {
  summary: string;
  root_cause: { service: string; kind: string; evidence: string };
  blast_radius: string[];
  actions: ProposedAction[];
  confidence: number;
  reasoning: string;
  reasoner: string;
  fallback_reason: string;
}

export interface Analysis {
  incident_id: number;
  incident_version: number;
  service: string;
  alertname: string;
  severity: string;
  parent_id?: number | null;
  root_cause: RootCause | null;
  blast_radius: BlastRadius | null;
  context: string;
  proposal: AnalysisProposal | null;
  proposal_id?: number | null;
}

export interface ProposalAction {
  id: number;
  ordinal: number;
  kind: string;
  target_kind: string;
  target: string;
  namespace: string;
  params: Record<string, unknown>;
  expected_effect: string;
  valid: boolean;
  note: string;
  action_hash: string;
  approval_id: number | null;
  status: 'proposed' | 'auto_executed' | 'approval';
}

export interface Proposal {
  id: number;
  incident_id: number;
  incident_version: number;
  reasoner: string;
  confidence: number;
  summary: string;
  root_cause: { service: string; kind: string; evidence: string };
  fallback_reason: string;
  created_at: string | null;
  actions: ProposalAction[];
}

export interface SignedBy {
  user: string;
  role: Role | string;
  at: string | null;
}

export interface Factor {
  roles: string[];
  count: number;
  signed_by: SignedBy[];
  met: boolean;
}

export interface Signature {
  user: string;
  role: string;
  decision: 'approve' | 'reject';
  comment: string;
  at: string | null;
  action_hash: string;
  state_fingerprint: string;
}

export interface DryRunCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface DryRun {
  passed: boolean;
  supported: boolean;
  summary: string;
  pods_affected: number;
  data_loss: boolean;
  state_fingerprint: string;
  at: string | null;
  checks: DryRunCheck[];
}

export interface ApprovalAction {
  kind: string;
  target_kind: string;
  target: string;
  namespace: string;
  params: Record<string, unknown>;
  expected_effect: string;
  action_hash: string;
  pattern: string;
}

export interface ExecutionResult {
  outcome: 'succeeded' | 'failed';
  detail: string;
  output: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface Approval {
  id: number;
  status: ApprovalStatus;
  incident_id: number | null;
  proposal_id: number | null;
  action: ApprovalAction;
  requested_by: string | null;
  risk: { base: RiskLevel; effective: RiskLevel; reason: string };
  factors: Factor[];
  signatures: Signature[];
  dry_run: DryRun | null;
  blast_radius: string[];
  savings_monthly_usd: number | null;
  created_at: string | null;
  updated_at: string | null;
  expires_at: string | null;
  reason: string;
  result: ExecutionResult | null;
  can_sign: boolean;
  why_not: string;
}

export interface ApprovalList {
  approvals: Approval[];
  next_before: number | null;
}

export interface TrustPattern {
  pattern: string;
  score: number;
  approvals: number;
  rejections: number;
  risk: RiskLevel;
  effective: RiskLevel;
  updated_at: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string | null;
  kind: string;
  actor: string;
  subject: string;
  detail: Record<string, unknown>;
  hash: string;
  prev_hash: string;
}

export interface AuditList {
  entries: AuditEntry[];
  next_before: number | null;
}

export interface AuditVerify {
  ok: boolean;
  entries: number;
  checkpoints: number;
  first_bad: number | null;
  reason: string;
}

export interface TopologyService {
  name: string;
  kind: string;
  namespace: string;
  owners: string[];
  labels: Record<string, string>;
  health: Severity;
  learned: boolean;
}

export interface TopologyEdge {
  from: string;
  to: string;
  learned: boolean;
}

export interface Topology {
  services: TopologyService[];
  edges: TopologyEdge[];
}

// Live events (GET /api/v1/events).
export interface IncidentEventData {
  incident_id: number;
  version: number;
}
export interface ApprovalEventData {
  approval_id: number;
  incident_id: number | null;
  status: ApprovalStatus;
}
export interface TrustEventData {
  pattern: string;
}
export interface LiveEvent {
  type: string;
  data: unknown;
}
