-- Small documents plugins keep across restarts (the simulated cluster's state).
CREATE TABLE plugin_state (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
