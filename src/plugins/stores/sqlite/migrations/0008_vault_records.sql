-- The Privacy Shield's vaults as appended records: one AES-256-GCM sealed value per row, bound to
-- its incident (the incident's scope is authenticated data), written in the transaction that minted
-- its label. A batch appends the values it minted instead of resealing the incident's whole vault.
-- Rows of the old one-blob table `vaults` are re-sealed into records by the store when it opens
-- (the shield's key is needed), then deleted.
CREATE TABLE vault_records (
  incident_id  INTEGER NOT NULL REFERENCES incidents (id),
  seq          INTEGER NOT NULL,
  sealed       BLOB NOT NULL,
  created_at   TEXT NOT NULL,
  PRIMARY KEY (incident_id, seq)
) WITHOUT ROWID;
