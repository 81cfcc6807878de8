-- Proposals and their typed actions as rows (an approval binds to one action's hash), the
-- correlation link between incidents, and "I'm on it".
ALTER TABLE incidents ADD COLUMN parent_id INTEGER REFERENCES incidents (id);
ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;
ALTER TABLE incidents ADD COLUMN acknowledged_at TEXT;
ALTER TABLE analyses ADD COLUMN proposal_id INTEGER;

CREATE TABLE proposals (
  id                  INTEGER PRIMARY KEY,
  incident_id         INTEGER NOT NULL REFERENCES incidents (id),
  incident_version    INTEGER NOT NULL,
  reasoner            TEXT NOT NULL,
  confidence          REAL NOT NULL,
  summary             TEXT NOT NULL,
  root_cause_service  TEXT NOT NULL,
  root_cause_kind     TEXT NOT NULL,
  evidence            TEXT NOT NULL,
  fallback_reason     TEXT NOT NULL,
  created_at          TEXT NOT NULL
);
CREATE INDEX proposals_by_incident ON proposals (incident_id, id);

CREATE TABLE actions (
  id               INTEGER PRIMARY KEY,
  proposal_id      INTEGER REFERENCES proposals (id),  -- NULL: requested by hand
  ordinal          INTEGER NOT NULL,
  kind             TEXT NOT NULL,
  target_kind      TEXT NOT NULL,
  target           TEXT NOT NULL,  -- redacted (labels), never a real value
  namespace        TEXT NOT NULL,
  params           TEXT NOT NULL,  -- JSON object: parameter -> canonical redacted text
  expected_effect  TEXT NOT NULL,
  validation       TEXT NOT NULL,  -- "valid", or why a proposed action became investigate
  action_hash      TEXT NOT NULL,  -- SHA-256 of the canonical encoding; signatures bind to it
  created_at       TEXT NOT NULL
);
CREATE INDEX actions_by_proposal ON actions (proposal_id, ordinal);
CREATE INDEX actions_by_hash ON actions (action_hash);
