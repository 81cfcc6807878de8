-- Retention (store.retention_days): the pass finds old resolved incidents by their last activity
-- without scanning the recent ones, and clears links to a pruned parent without a table scan.
CREATE INDEX incidents_resolved_by_activity ON incidents (updated_at, id) WHERE status = 'resolved';
CREATE INDEX incidents_by_parent ON incidents (parent_id) WHERE parent_id IS NOT NULL;
