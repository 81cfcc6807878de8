// The ApprovalCard: everything a signer needs to decide at 3 AM, on one card — the alert, the
// root cause with its evidence path, the blast radius, the dry-run checks, the risk (and why it
// is what it is), what fixing it saves, who has signed and who still must, and the decision.
// APPROVE & EXECUTE is offered only to someone who may sign (can_sign); everyone else sees the
// button disabled with the server's reason (why_not).
import { useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { Analysis, Approval, Incident } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../lib/context';
import {
  actionTarget,
  factorProgress,
  factorSlots,
  formatParams,
  formatUsd,
  riskChange,
  riskTone,
  shortHash,
} from '../lib/format';
import { RiskBadge, SeverityBadge, StatusPill, Time } from './Badges';
import { Dialog } from './Dialog';
import { Link } from './Link';

const ENDED_WITH_REASON = ['voided', 'expired', 'rejected', 'failed'];

export function ApprovalCard(props: {
  approval: Approval;
  incident?: Incident | null;
  analysis?: Analysis | null;
  onChanged: (a: Approval) => void;
  onStale?: () => void;
}) {
  const { t, lang } = useI18n();
  const { api, notify } = useSession();
  const a = props.approval;
  const [dialog, setDialog] = useState<'approve' | 'reject' | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const risk = a.risk ?? { base: 'LOW', effective: 'LOW', reason: '' };
  const change = riskChange(risk.base, risk.effective);
  const progress = factorProgress(a.factors ?? []);
  const top = props.analysis?.root_cause?.root_causes?.find((c) => c.role === 'cause') ??
    props.analysis?.root_cause?.root_causes?.[0];
  const evidence = props.analysis?.proposal?.root_cause?.evidence ?? '';
  const rootService = props.analysis?.proposal?.root_cause?.service ?? top?.service ?? '';
  const pending = a.status === 'pending';
  const dryRunBlocks = a.dry_run ? !a.dry_run.passed : false;

  const decide = async (kind: 'approve' | 'reject') => {
    setBusy(true);
    setError('');
    try {
      const next =
        kind === 'approve'
          ? await api.approve(a.id, a.dry_run?.state_fingerprint ?? '', comment.trim())
          : await api.reject(a.id, comment.trim());
      setDialog(null);
      setComment('');
      props.onChanged(next);
      notify('info', t(kind === 'approve' ? 'approval.signedNotice' : 'approval.rejectedNotice', { id: a.id }));
    } catch (e) {
      const err = e as ApiError;
      setDialog(null);
      // 409: what the signer saw is stale (state changed, already signed, no longer pending).
      setError(err.status === 409 ? t('approval.stale', { message: err.message }) : err.message);
      if (err.status === 409) props.onStale?.();
    } finally {
      setBusy(false);
    }
  };

  return (
    <article
      class={`approval-card risk-${riskTone(risk.effective)} status-${a.status}`}
      aria-labelledby={`approval-${a.id}-title`}
      data-testid="approval-card"
      data-approval-id={a.id}
      data-status={a.status}
    >
      <header class="approval-head">
        <div class="approval-title">
          <h2 id={`approval-${a.id}-title`}>
            <Link to={`/approvals/${a.id}`}>{t('approval.title', { id: a.id })}</Link>
          </h2>
          <StatusPill status={a.status} />
        </div>
        <div class="approval-risk" aria-label={t('approval.riskLabel', { risk: t(`risk.${risk.effective}`) })}>
          <RiskBadge level={risk.effective} large />
          {change.changed && (
            <span class="risk-base" data-testid="risk-base">
              {t('approval.riskFrom', { base: t(`risk.${risk.base}`) })}
            </span>
          )}
        </div>
      </header>
      {risk.reason && <p class="risk-reason">{risk.reason}</p>}

      {ENDED_WITH_REASON.includes(a.status) && (
        <div class={`ended ended-${a.status}`} role="status" data-testid="approval-ended">
          <strong>{t(`approval.ended.${a.status}`)}</strong>
          {a.reason && <span> — {a.reason}</span>}
        </div>
      )}

      <dl class="facts">
        {props.incident && (
          <>
            <dt>{t('approval.alert')}</dt>
            <dd>
              <SeverityBadge severity={props.incident.severity} />{' '}
              <Link to={`/incidents/${props.incident.id}`}>{props.incident.title}</Link>{' '}
              <span class="muted">({props.incident.service})</span>
            </dd>
          </>
        )}
        <dt>{t('approval.action')}</dt>
        <dd>
          <code class="action-kind">{a.action.kind}</code> <span class="target">{actionTarget(a.action)}</span>
          {formatParams(a.action.params, ['namespace']) && <code class="params">{formatParams(a.action.params, ['namespace'])}</code>}
          {a.action.expected_effect && <div class="muted small">{a.action.expected_effect}</div>}
        </dd>
        {(rootService || top) && (
          <>
            <dt>{t('approval.rootCause')}</dt>
            <dd data-testid="approval-root-cause">
              <strong class="root">{rootService}</strong>
              {top && top.path.length > 1 && (
                <ol class="path" aria-label={t('approval.evidencePath')}>
                  {top.path.map((s, i) => (
                    <li key={`${s}-${i}`} class={s === rootService ? 'root' : ''}>
                      {s}
                    </li>
                  ))}
                </ol>
              )}
              {(evidence || top?.reason) && <div class="muted small">{evidence || top?.reason}</div>}
            </dd>
          </>
        )}
        <dt>{t('approval.blastRadius')}</dt>
        <dd>
          {a.blast_radius?.length ? (
            <ul class="chips" aria-label={t('approval.blastRadius')}>
              {a.blast_radius.map((s) => (
                <li key={s} class="chip">
                  {s}
                </li>
              ))}
            </ul>
          ) : (
            <span class="muted">{t('approval.noBlast')}</span>
          )}
        </dd>
        {a.savings_monthly_usd !== null && a.savings_monthly_usd !== undefined && (
          <>
            <dt>{t('approval.savings')}</dt>
            <dd class="savings" data-testid="savings">
              {t('approval.savingsText', { amount: formatUsd(a.savings_monthly_usd, lang) })}
            </dd>
          </>
        )}
        {a.requested_by && (
          <>
            <dt>{t('approval.requestedBy')}</dt>
            <dd>{a.requested_by}</dd>
          </>
        )}
        <dt>{pending ? t('approval.expires') : t('approval.updated')}</dt>
        <dd>
          <Time at={pending ? a.expires_at : a.updated_at} />
        </dd>
      </dl>

      <div class="approval-body">
      {a.dry_run && (
        <section class={`dryrun ${a.dry_run.passed ? 'passed' : 'failed'}`} aria-labelledby={`dry-${a.id}`}>
          <h3 id={`dry-${a.id}`}>
            {t('approval.dryRun')}{' '}
            <span class={`pill ${a.dry_run.passed ? 'tone-ok' : 'tone-crit'}`}>
              {a.dry_run.passed ? t('approval.dryRunPassed') : t('approval.dryRunFailed')}
            </span>
          </h3>
          <p class="dry-summary">
            {a.dry_run.summary}
            {' · '}
            {t('approval.podsAffected', { n: a.dry_run.pods_affected })}
            {' · '}
            {a.dry_run.data_loss ? (
              <strong class="tone-text-crit">{t('approval.dataLoss')}</strong>
            ) : (
              t('approval.noDataLoss')
            )}
          </p>
          <ul class="checks">
            {a.dry_run.checks.map((c) => (
              <li key={c.name} class={c.passed ? 'ok' : 'bad'}>
                <span class="check-mark" aria-hidden="true">
                  {c.passed ? '✓' : '✗'}
                </span>
                <span class="sr-only">{c.passed ? t('approval.checkPassed') : t('approval.checkFailed')}</span>
                <span class="check-name">{t(`check.${c.name}`) === `check.${c.name}` ? c.name : t(`check.${c.name}`)}</span>
                {c.detail && <span class="muted"> — {c.detail}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="factors" aria-labelledby={`factors-${a.id}`}>
        <h3 id={`factors-${a.id}`}>
          {t('approval.signatures')}{' '}
          <span class="muted" data-testid="signature-progress">
            {t('approval.progress', { signed: progress.signed, needed: progress.needed })}
          </span>
        </h3>
        {a.factors.length === 0 && <p class="muted">{t('approval.noSignaturesNeeded')}</p>}
        <ul class="factor-list">
          {a.factors.map((f, i) => (
            <li key={i} class={`factor${f.met ? ' met' : ''}`}>
              <div class="factor-req">
                <span class="factor-mark" aria-hidden="true">
                  {f.met ? '✓' : '○'}
                </span>
                {t('approval.factor', { count: f.count, roles: f.roles.map((r) => t(`role.${r}`)).join(' / ') })}
                {f.met && <span class="sr-only">{t('approval.factorMet')}</span>}
              </div>
              <ul class="slots">
                {factorSlots(f).map((s, j) => (
                  <li key={j} class={s ? 'slot signed' : 'slot open'}>
                    {s ? (
                      <>
                        <strong>{s.user}</strong> <span class="muted">{t(`role.${s.role}`)}</span> <Time at={s.at} />
                      </>
                    ) : (
                      <span class="muted">{t('approval.awaiting')}</span>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
        {a.signatures.some((s) => s.decision === 'reject' || s.comment) && (
          <ul class="comments">
            {a.signatures
              .filter((s) => s.decision === 'reject' || s.comment)
              .map((s, i) => (
                <li key={i}>
                  <strong>{s.user}</strong> ({t(`role.${s.role}`)}) {t(`approval.decision.${s.decision}`)}
                  {s.comment && <q>{s.comment}</q>}
                </li>
              ))}
          </ul>
        )}
      </section>

      </div>

      {a.result && (
        <section class={`result result-${a.result.outcome}`} aria-labelledby={`result-${a.id}`} data-testid="approval-result">
          <h3 id={`result-${a.id}`}>
            {t('approval.result')} <StatusPill status={a.result.outcome} />
          </h3>
          {a.result.detail && <p>{a.result.detail}</p>}
          {a.result.output && <pre class="output">{a.result.output}</pre>}
        </section>
      )}

      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}

      {pending && (
        <div class="decision">
          {a.can_sign ? (
            <>
              <button
                type="button"
                class="approve-execute"
                disabled={busy || dryRunBlocks}
                onClick={() => {
                  setComment('');
                  setDialog('approve');
                }}
                data-testid="approve-button"
              >
                {t('approval.approveExecute')}
              </button>
              <button type="button" class="reject" disabled={busy} onClick={() => {
                  setComment('');
                  setDialog('reject');
                }} data-testid="reject-button">
                {t('approval.reject')}
              </button>
              {dryRunBlocks && <p class="why-not">{t('approval.dryRunBlocks')}</p>}
            </>
          ) : (
            <>
              <button
                type="button"
                class="approve-execute"
                disabled
                aria-describedby={`whynot-${a.id}`}
                data-testid="approve-button"
              >
                {t('approval.approveExecute')}
              </button>
              <p class="why-not" id={`whynot-${a.id}`} data-testid="why-not">
                {a.why_not || t('approval.cannotSign')}
              </p>
            </>
          )}
        </div>
      )}
      <footer class="approval-foot muted small">
        <span title={a.action.action_hash}>
          {t('approval.hash')} {shortHash(a.action.action_hash)}
        </span>
        {a.action.pattern && (
          <span>
            {' · '}
            {t('approval.pattern')} <code>{a.action.pattern}</code>
          </span>
        )}
      </footer>

      <Dialog
        open={dialog === 'approve'}
        title={t('approval.confirmTitle')}
        onCancel={() => setDialog(null)}
        onConfirm={() => decide('approve')}
        confirmLabel={t('approval.approveExecute')}
        cancelLabel={t('common.cancel')}
        confirmClass="approve-execute"
        confirmDisabled={busy}
        testId="approve-dialog"
        id={`approve-${a.id}`}
      >
        <p>
          <code>{a.action.kind}</code> {actionTarget(a.action)}
        </p>
        <p class="muted">{t('approval.confirmBody')}</p>
        <label for={`approve-comment-${a.id}`}>{t('approval.commentOptional')}</label>
        <input
          id={`approve-comment-${a.id}`}
          type="text"
          value={comment}
          onInput={(e) => setComment((e.currentTarget as HTMLInputElement).value)}
        />
      </Dialog>
      <Dialog
        open={dialog === 'reject'}
        title={t('approval.rejectTitle')}
        onCancel={() => setDialog(null)}
        onConfirm={() => decide('reject')}
        confirmLabel={t('approval.reject')}
        cancelLabel={t('common.cancel')}
        confirmClass="reject"
        confirmDisabled={busy || !comment.trim()}
        testId="reject-dialog"
        id={`reject-${a.id}`}
      >
        <p class="muted">{t('approval.rejectBody')}</p>
        <label for={`reject-comment-${a.id}`}>{t('approval.comment')}</label>
        <input
          id={`reject-comment-${a.id}`}
          type="text"
          required
          value={comment}
          onInput={(e) => setComment((e.currentTarget as HTMLInputElement).value)}
        />
      </Dialog>
    </article>
  );
}
