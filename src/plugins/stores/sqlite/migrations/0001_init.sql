-- Alerts, incidents, users and tokens, analyses, vaults.
-- Portable SQL (SQLite and PostgreSQL): INTEGER ids, TEXT times in RFC 3339 UTC, JSON as TEXT.
CREATE TABLE incidents (
  id            INTEGER PRIMARY KEY,
  group_key     TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  service       TEXT NOT NULL,
  alertname     TEXT NOT NULL,
  severity      TEXT NOT NULL,
  title         TEXT NOT NULL,
  opened_at     TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  resolved_at   TEXT,
  alert_count   INTEGER NOT NULL DEFAULT 0,
  firing_count  INTEGER NOT NULL DEFAULT 0,
  version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incidents_by_group ON incidents (group_key, id);
CREATE INDEX incidents_by_status ON incidents (status, id);
CREATE INDEX incidents_by_service ON incidents (service, id);

CREATE TABLE alerts (
  id             INTEGER PRIMARY KEY,
  incident_id    INTEGER NOT NULL REFERENCES incidents (id),
  fingerprint    TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
  labels         TEXT NOT NULL,  -- JSON object, values redacted
  annotations    TEXT NOT NULL,  -- JSON object, values redacted
  starts_at      TEXT,
  ends_at        TEXT,
  generator_url  TEXT NOT NULL,
  source         TEXT NOT NULL,
  received_at    TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  receive_count  INTEGER NOT NULL DEFAULT 1,
  UNIQUE (incident_id, fingerprint)
);
CREATE INDEX alerts_firing ON alerts (status, id);

CREATE TABLE users (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  role        TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users (id),
  sha256      TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL
);

CREATE TABLE analyses (
  incident_id       INTEGER PRIMARY KEY REFERENCES incidents (id),
  incident_version  INTEGER NOT NULL,
  document          TEXT NOT NULL,
  thinking          TEXT NOT NULL,
  created_at        TEXT NOT NULL
);

-- The Privacy Shield's per-incident mapping, AES-256-GCM sealed: the only place real values live.
CREATE TABLE vaults (
  incident_id  INTEGER PRIMARY KEY REFERENCES incidents (id),
  sealed       BLOB NOT NULL,
  updated_at   TEXT NOT NULL
);
