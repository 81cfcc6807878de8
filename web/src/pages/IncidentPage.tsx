// One incident: what fired, the analysis (root cause with its evidence path, blast radius), the
// approvals its proposal created (ApprovalCards), the alerts, and the ThinkingTerminal beside.
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { Analysis, Approval, IncidentDetail, Proposal } from '../api/types';
import { AckControl } from '../components/AckControl';
import { ApprovalCard } from '../components/ApprovalCard';
import { ErrorBox, IncidentStatusPill, SeverityBadge, Time } from '../components/Badges';
import { Link } from '../components/Link';
import { ProposalCard } from '../components/ProposalCard';
import { ThinkingTerminal } from '../components/ThinkingTerminal';
import { useI18n } from '../i18n';
import { useLive, useSession, useThrottled } from '../lib/context';
import { sortApprovals } from '../lib/format';

export function IncidentPage(props: { id: number }) {
  const { t } = useI18n();
  const { api } = useSession();
  const id = props.id;
  const [incident, setIncident] = useState<IncidentDetail | null>(null);
  const [error, setError] = useState('');
  const [analysis, setAnalysis] = useState<Analysis | null>(null);
  const [analysisState, setAnalysisState] = useState<'loading' | 'queued' | 'ready'>('loading');
  const [approvals, setApprovals] = useState<Approval[]>([]);
  const [approvalsAvailable, setApprovalsAvailable] = useState(true);
  const [thinkingKey, setThinkingKey] = useState(0);

  const loadIncident = () =>
    api.incident(id).then(
      (d) => {
        setIncident(d);
        setError('');
      },
      (e: ApiError) => setError(e.notFound ? t('incident.notFound', { id }) : e.message),
    );

  const loadAnalysis = () =>
    api.analysis(id).then(
      (a) => {
        setAnalysis(a);
        setAnalysisState('ready');
      },
      (e: ApiError) => {
        if (e.notFound) setAnalysisState('queued');
      },
    );

  // Approvals of this incident: through its proposals' actions (approval_id), each loaded once.
  const loadApprovals = async () => {
    let props: Proposal[];
    try {
      props = (await api.proposals(id)).proposals;
    } catch (e) {
      if ((e as ApiError).notFound) setApprovalsAvailable(false);
      return;
    }
    setApprovalsAvailable(true);
    const ids = new Set<number>();
    for (const p of props) for (const a of p.actions) if (a.approval_id != null) ids.add(a.approval_id);
    const loaded = await Promise.all(
      Array.from(ids).map((aid) => api.approval(aid).catch(() => null as Approval | null)),
    );
    setApprovals(sortApprovals(loaded.filter((x): x is Approval => x !== null)));
  };

  useEffect(() => {
    setIncident(null);
    setAnalysis(null);
    setAnalysisState('loading');
    setApprovals([]);
    loadIncident();
    loadAnalysis();
    loadApprovals();
  }, [api, id]);

  const reloadApprovals = useThrottled(() => void loadApprovals(), 300);
  const reloadIncident = useThrottled(() => void loadIncident(), 300);

  useLive((type, data) => {
    const d = (data ?? {}) as { incident_id?: number; approval_id?: number };
    if (type === 'resync') {
      reloadIncident();
      loadAnalysis();
      reloadApprovals();
      return;
    }
    if (type.startsWith('incident.') && d.incident_id === id) {
      reloadIncident();
      if (type === 'incident.analysis') {
        loadAnalysis();
        reloadApprovals();
      }
      // A new alert or a reopen starts a new analysis run: watch it live.
      if (type === 'incident.reopened' || type === 'incident.updated') setThinkingKey((k) => k + 1);
    }
    if (type.startsWith('approval.') && (d.incident_id === id || approvals.some((a) => a.id === d.approval_id))) {
      reloadApprovals();
    }
  });

  const replaceApproval = (a: Approval) => setApprovals((list) => sortApprovals(list.map((x) => (x.id === a.id ? a : x))));

  if (error) {
    return (
      <section class="page">
        <p>
          <Link to="/incidents">← {t('nav.incidents')}</Link>
        </p>
        <ErrorBox error={error} />
      </section>
    );
  }
  if (!incident) {
    return (
      <section class="page" aria-busy="true">
        <p class="muted">{t('common.loading')}</p>
      </section>
    );
  }

  const rc = analysis?.root_cause?.root_causes ?? [];
  const blast = analysis?.blast_radius?.affected ?? [];
  const unlinked = analysis?.proposal && approvals.length === 0;

  return (
    <section class="page incident-page" aria-labelledby="incident-title">
      <nav class="crumbs" aria-label={t('common.breadcrumb')}>
        <Link to="/incidents">{t('nav.incidents')}</Link> <span aria-hidden="true">/</span> #{incident.id}
      </nav>
      <header class="incident-head">
        <div class="incident-head-main">
          <SeverityBadge severity={incident.severity} />
          <h1 id="incident-title">{incident.title || incident.alertname}</h1>
        </div>
        <div class="incident-meta">
          <IncidentStatusPill status={incident.status} />
          <span>
            {t('incident.service')}{' '}
            <Link to={`/topology?service=${encodeURIComponent(incident.service)}`} class="service">
              {incident.service}
            </Link>
          </span>
          <span>
            {t('incident.opened')} <Time at={incident.opened_at} />
          </span>
          <span>
            {t('incident.alerts', { firing: incident.firing_count, total: incident.alert_count })}
          </span>
          {incident.parent_id != null && (
            <span>
              <Link to={`/incidents/${incident.parent_id}`}>{t('incidents.causedBy', { id: incident.parent_id })}</Link>
            </span>
          )}
          <AckControl incident={incident} onAcked={(i) => setIncident({ ...incident, ...i })} />
        </div>
      </header>

      <div class="incident-grid">
        <div class="incident-main">
          {approvals.map((a) => (
            <ApprovalCard
              key={a.id}
              approval={a}
              incident={incident}
              analysis={analysis}
              onChanged={replaceApproval}
              onStale={reloadApprovals}
            />
          ))}
          {unlinked && analysis?.proposal && (
            <ProposalCard proposal={analysis.proposal} incident={incident} analysis={analysis} approvalsAvailable={approvalsAvailable} />
          )}
          {analysisState === 'queued' && (
            <div class="card muted" data-testid="analysis-queued">
              {t('incident.analysisQueued')}
            </div>
          )}

          {analysis && (
            <section class="card" aria-labelledby="rc-title" data-testid="analysis">
              <h2 id="rc-title">{t('incident.rootCauses')}</h2>
              {rc.length === 0 && <p class="muted">{t('incident.noRootCause')}</p>}
              <ol class="candidates">
                {rc.map((c) => (
                  <li key={c.service} class={`candidate role-${c.role}`}>
                    <div class="candidate-head">
                      <strong>{c.service}</strong> <span class="muted">{c.kind}</span>{' '}
                      <span class={`pill ${c.role === 'cause' ? 'tone-crit' : 'tone-muted'}`}>{t(`rc.role.${c.role}`)}</span>{' '}
                      <SeverityBadge severity={c.severity} />
                    </div>
                    <ol class="path" aria-label={t('approval.evidencePath')}>
                      {c.path.map((s, i) => (
                        <li key={`${s}-${i}`} class={s === c.service ? 'root' : ''}>
                          {s}
                        </li>
                      ))}
                    </ol>
                    <div class="muted small">
                      {c.reason}
                      {c.explains_count > 0 && <> · {t('rc.explains', { n: c.explains_count, total: c.unhealthy_count })}</>}
                    </div>
                  </li>
                ))}
              </ol>
              <h2>{t('incident.blastRadius')}</h2>
              {blast.length === 0 ? (
                <p class="muted">{t('approval.noBlast')}</p>
              ) : (
                <ul class="chips">
                  {blast.map((b) => (
                    <li key={b.service} class={`chip health-${b.health}`}>
                      {b.service} <span class="muted small">{t('incident.depth', { n: b.depth })}</span>
                    </li>
                  ))}
                </ul>
              )}
              {analysis.proposal && (
                <p class="muted small">
                  {t('incident.reasoner', {
                    reasoner: analysis.proposal.reasoner,
                    confidence: Math.round(analysis.proposal.confidence * 100),
                  })}
                  {analysis.proposal.fallback_reason && <> · {analysis.proposal.fallback_reason}</>}
                </p>
              )}
            </section>
          )}

          <section class="card" aria-labelledby="alerts-title">
            <h2 id="alerts-title">{t('incident.alertsTitle')}</h2>
            <table class="table compact-table">
              <thead>
                <tr>
                  <th scope="col">{t('incidents.col.status')}</th>
                  <th scope="col">{t('incident.alertName')}</th>
                  <th scope="col">{t('incident.summary')}</th>
                  <th scope="col">{t('incident.started')}</th>
                </tr>
              </thead>
              <tbody>
                {incident.alerts.map((al) => (
                  <tr key={al.id}>
                    <td>
                      <IncidentStatusPill status={al.status} />
                    </td>
                    <td>
                      <code>{al.labels.alertname ?? '—'}</code>
                      <div class="muted small">{al.labels.service ?? ''}</div>
                    </td>
                    <td>
                      {al.annotations.summary ?? ''}
                      {al.annotations.description && <div class="muted small">{al.annotations.description}</div>}
                    </td>
                    <td>
                      <Time at={al.starts_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
        <aside class="incident-side" aria-label={t('thinking.title')}>
          <ThinkingTerminal
            incidentId={id}
            restartKey={thinkingKey}
            onProposal={(a) => {
              setAnalysis(a);
              setAnalysisState('ready');
            }}
          />
        </aside>
      </div>
    </section>
  );
}
