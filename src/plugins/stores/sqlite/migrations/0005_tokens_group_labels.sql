-- Tokens that expire, can be revoked and are marked when minted for the demo users; incidents
-- show their (redacted) group labels, while group_key holds only a keyed hash.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
ALTER TABLE api_tokens ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN group_labels TEXT NOT NULL DEFAULT '{}';
CREATE INDEX approvals_by_action ON approvals (action_id, id);
