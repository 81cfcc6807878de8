-- The approval state machine, enforced by the database as well as by the approval engine
-- (approval::CanTransition in src/approval/policy.cc holds the same table): any other change of
-- an approval's status is refused, whoever issues the UPDATE, and approvals are never deleted.
CREATE TRIGGER approvals_only_allowed_transitions
BEFORE UPDATE OF status ON approvals
WHEN NEW.status <> OLD.status AND (OLD.status || '>' || NEW.status) NOT IN (
  'pending>approved', 'pending>rejected', 'pending>voided', 'pending>expired',
  'approved>executing', 'approved>voided',
  'executing>succeeded', 'executing>failed')
BEGIN
  SELECT RAISE(ABORT, 'approval transition not allowed');
END;

CREATE TRIGGER approvals_are_never_deleted
BEFORE DELETE ON approvals
BEGIN
  SELECT RAISE(ABORT, 'approvals are history: they are never deleted');
END;
