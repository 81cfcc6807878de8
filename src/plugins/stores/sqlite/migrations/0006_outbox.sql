-- The notification outbox: a notification row is written in the same transaction as the event
-- that caused it; deliveries (one per channel) are fanned out from it and retried until delivered
-- or dead-lettered. Nothing is deleted.
CREATE TABLE notifications (
  id           INTEGER PRIMARY KEY,
  event        TEXT NOT NULL,
  severity     TEXT NOT NULL,
  subject      TEXT NOT NULL,
  incident_id  INTEGER,
  service      TEXT NOT NULL,
  namespace    TEXT NOT NULL,
  payload      TEXT NOT NULL,  -- JSON: title, text, fields, link_path (redacted)
  routed       INTEGER NOT NULL DEFAULT 0,
  created_at   TEXT NOT NULL
);
CREATE INDEX notifications_unrouted ON notifications (routed, id);

CREATE TABLE deliveries (
  id               INTEGER PRIMARY KEY,
  notification_id  INTEGER NOT NULL REFERENCES notifications (id),
  channel          TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT NOT NULL,
  http_status      INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT NOT NULL DEFAULT '',
  created_at       TEXT NOT NULL,
  delivered_at     TEXT,
  UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries (status, channel, next_attempt_at);

-- An incident whose opening was told (so its resolution is told too; a correlated child is not).
ALTER TABLE incidents ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
