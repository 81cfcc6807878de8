// One approval request, on its own: the ApprovalCard with its incident and analysis.
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { Analysis, Approval, IncidentDetail } from '../api/types';
import { ApprovalCard } from '../components/ApprovalCard';
import { ErrorBox } from '../components/Badges';
import { Link } from '../components/Link';
import { Unavailable } from '../components/Unavailable';
import { useI18n } from '../i18n';
import { useLive, useSession, useThrottled } from '../lib/context';

export function ApprovalPage(props: { id: number }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [approval, setApproval] = useState<Approval | null>(null);
  const [incident, setIncident] = useState<IncidentDetail | null>(null);
  const [analysis, setAnalysis] = useState<Analysis | null>(null);
  const [error, setError] = useState('');
  const [unavailable, setUnavailable] = useState(false);

  const load = () =>
    api.approval(props.id).then(
      (a) => {
        setApproval(a);
        setError('');
        if (a.incident_id != null && incident?.id !== a.incident_id) {
          api.incident(a.incident_id).then(setIncident, () => setIncident(null));
          api.analysis(a.incident_id).then(setAnalysis, () => setAnalysis(null));
        }
      },
      (e: ApiError) => {
        if (e.notFound && e.message.includes('no such route')) setUnavailable(true);
        else setError(e.notFound ? t('approval.notFound', { id: props.id }) : e.message);
      },
    );
  useEffect(() => void load(), [api, props.id]);
  const reload = useThrottled(() => void load(), 300);
  useLive((type, data) => {
    const d = (data ?? {}) as { approval_id?: number };
    if (type === 'resync' || (type.startsWith('approval.') && d.approval_id === props.id)) reload();
  });

  return (
    <section class="page approval-page">
      <nav class="crumbs" aria-label={t('common.breadcrumb')}>
        <Link to="/approvals">{t('nav.approvals')}</Link> <span aria-hidden="true">/</span> #{props.id}
      </nav>
      {unavailable && <Unavailable what={t('nav.approvals')} />}
      {error && <ErrorBox error={error} />}
      {approval && (
        <ApprovalCard approval={approval} incident={incident} analysis={analysis} onChanged={setApproval} onStale={reload} />
      )}
    </section>
  );
}
