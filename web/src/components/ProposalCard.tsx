// The proposal of an analysis before (or without) an approval request: what the brain would do,
// with the same root-cause and blast-radius presentation as the ApprovalCard, read-only.
import type { Analysis, AnalysisProposal, Incident } from '../api/types';
import { useI18n } from '../i18n';
import { formatConfidence, proposedActionLabel, formatParams } from '../lib/format';
import { SeverityBadge } from './Badges';

export function ProposalCard(props: {
  proposal: AnalysisProposal;
  incident: Incident;
  analysis: Analysis;
  approvalsAvailable: boolean;
}) {
  const { t } = useI18n();
  const p = props.proposal;
  const top =
    props.analysis.root_cause?.root_causes?.find((c) => c.role === 'cause') ?? props.analysis.root_cause?.root_causes?.[0];
  return (
    <article class="approval-card proposal-card risk-muted" aria-labelledby="proposal-title" data-testid="proposal-card">
      <header class="approval-head">
        <div class="approval-title">
          <h2 id="proposal-title">{t('proposal.title')}</h2>
          <span class="pill tone-info">{t('proposal.confidence', { c: formatConfidence(p.confidence) })}</span>
        </div>
      </header>
      <p class="proposal-summary">{p.summary}</p>
      <dl class="facts">
        <dt>{t('approval.alert')}</dt>
        <dd>
          <SeverityBadge severity={props.incident.severity} /> {props.incident.title}{' '}
          <span class="muted">({props.incident.service})</span>
        </dd>
        <dt>{t('approval.rootCause')}</dt>
        <dd data-testid="proposal-root-cause">
          <strong class="root">{p.root_cause.service}</strong> <span class="muted">{p.root_cause.kind}</span>
          {top && top.path.length > 1 && (
            <ol class="path" aria-label={t('approval.evidencePath')}>
              {top.path.map((s, i) => (
                <li key={`${s}-${i}`} class={s === p.root_cause.service ? 'root' : ''}>
                  {s}
                </li>
              ))}
            </ol>
          )}
          {p.root_cause.evidence && <div class="muted small">{p.root_cause.evidence}</div>}
        </dd>
        <dt>{t('approval.blastRadius')}</dt>
        <dd>
          {p.blast_radius.length ? (
            <ul class="chips">
              {p.blast_radius.map((s) => (
                <li key={s} class="chip">
                  {s}
                </li>
              ))}
            </ul>
          ) : (
            <span class="muted">{t('approval.noBlast')}</span>
          )}
        </dd>
        <dt>{t('proposal.actions')}</dt>
        <dd>
          <ol class="actions">
            {p.actions.map((a, i) => (
              <li key={i}>
                <code>{proposedActionLabel(a)}</code>
                {formatParams(a.parameters, ['namespace']) && <code class="params">{formatParams(a.parameters, ['namespace'])}</code>}
                {a.expected_effect && <div class="muted small">{a.expected_effect}</div>}
                {a.note && <div class="muted small">{a.note}</div>}
              </li>
            ))}
          </ol>
        </dd>
      </dl>
      <p class="muted small">{props.approvalsAvailable ? t('proposal.noApprovalYet') : t('proposal.approvalsUnavailable')}</p>
    </article>
  );
}
