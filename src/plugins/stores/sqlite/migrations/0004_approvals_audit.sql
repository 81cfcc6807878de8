-- Approvals, signatures, progressive trust, the audit trail and its signed checkpoints.
-- Nothing here is ever deleted: requests end in a terminal state and stay in the history.
CREATE TABLE approvals (
  id                   INTEGER PRIMARY KEY,
  action_id            INTEGER NOT NULL REFERENCES actions (id),
  incident_id          INTEGER REFERENCES incidents (id),
  proposal_id          INTEGER REFERENCES proposals (id),
  status               TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'executing', 'succeeded', 'failed',
                                                       'rejected', 'voided', 'expired')),
  pattern              TEXT NOT NULL,
  risk_base            TEXT NOT NULL,
  risk_effective       TEXT NOT NULL,
  risk_reason          TEXT NOT NULL,
  factors              TEXT NOT NULL,
  policy_version       TEXT NOT NULL,
  requested_by         TEXT NOT NULL,
  dry_run              TEXT NOT NULL,
  state_fingerprint    TEXT NOT NULL,
  blast_radius         TEXT NOT NULL,
  savings_monthly_usd  REAL,
  reason               TEXT NOT NULL,
  result               TEXT NOT NULL,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  expires_at           TEXT NOT NULL
);
CREATE INDEX approvals_by_status ON approvals (status, id);
CREATE INDEX approvals_by_incident ON approvals (incident_id, id);
CREATE INDEX approvals_pending_expiry ON approvals (expires_at) WHERE status = 'pending';

CREATE TABLE signatures (
  id                 INTEGER PRIMARY KEY,
  approval_id        INTEGER NOT NULL REFERENCES approvals (id),
  user_id            INTEGER NOT NULL,
  user_name          TEXT NOT NULL,
  role               TEXT NOT NULL,
  decision           TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
  comment            TEXT NOT NULL,
  action_hash        TEXT NOT NULL,
  state_fingerprint  TEXT NOT NULL,
  at                 TEXT NOT NULL,
  UNIQUE (approval_id, user_id)
);

CREATE TABLE trust (
  pattern     TEXT PRIMARY KEY,
  score       INTEGER NOT NULL,
  approvals   INTEGER NOT NULL,
  rejections  INTEGER NOT NULL,
  updated_at  TEXT NOT NULL
);

-- Append-only; each entry holds the previous entry's hash.
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  kind       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  subject    TEXT NOT NULL,
  detail     TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX audit_by_kind ON audit_log (kind, seq);

-- The Merkle tree's compact state after the last entry (roots of its perfect subtrees).
CREATE TABLE audit_tree (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  state  TEXT NOT NULL
);

CREATE TABLE audit_checkpoints (
  id         INTEGER PRIMARY KEY,
  tree_size  INTEGER NOT NULL,
  root       TEXT NOT NULL,
  key_id     TEXT NOT NULL,
  signature  TEXT NOT NULL,
  at         TEXT NOT NULL
);

ALTER TABLE users ADD COLUMN removed_at TEXT;
