// The approvals queue: pending requests first (oldest first: they expire first), then the rest,
// newest first. Filter by status; live events reload the list.
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { APPROVAL_STATUSES, type Approval } from '../api/types';
import { ErrorBox, RiskBadge, StatusPill, Time } from '../components/Badges';
import { Link } from '../components/Link';
import { Unavailable } from '../components/Unavailable';
import { useI18n } from '../i18n';
import { useLive, useSession, useThrottled } from '../lib/context';
import { actionTarget, factorProgress, sortApprovals } from '../lib/format';
import { navigate, useLocation } from '../lib/router';

export function ApprovalsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const loc = useLocation();
  const status = loc.query.get('status') ?? '';
  const [list, setList] = useState<Approval[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [unavailable, setUnavailable] = useState(false);
  const [error, setError] = useState('');
  const [nextBefore, setNextBefore] = useState<number | null>(null);

  const load = () =>
    api.approvals({ status, limit: 100 }).then(
      (r) => {
        setList(sortApprovals(r.approvals));
        setNextBefore(r.next_before);
        setLoaded(true);
        setError('');
        setUnavailable(false);
      },
      (e: ApiError) => {
        setLoaded(true);
        if (e.notFound) setUnavailable(true);
        else setError(e.message);
      },
    );
  useEffect(() => void load(), [api, status]);
  const reload = useThrottled(() => void load(), 400);
  useLive((type) => {
    if (type === 'resync' || type.startsWith('approval.')) reload();
  });

  const older = () => {
    if (nextBefore === null) return;
    api.approvals({ status, limit: 100, before: nextBefore }).then(
      (r) => {
        setList((old) => sortApprovals([...old, ...r.approvals.filter((a) => !old.some((o) => o.id === a.id))]));
        setNextBefore(r.next_before);
      },
      (e: ApiError) => setError(e.message),
    );
  };

  return (
    <section class="page" aria-labelledby="approvals-title">
      <div class="page-head">
        <h1 id="approvals-title">{t('approvals.title')}</h1>
        <span class="muted" data-testid="pending-count">
          {t('approvals.pendingCount', { n: list.filter((a) => a.status === 'pending').length })}
        </span>
      </div>
      <form class="filters" role="search" aria-label={t('approvals.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t('filter.status')}</span>
          <select
            value={status}
            aria-label={t('filter.status')}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLSelectElement).value;
              navigate(v ? `/approvals?status=${v}` : '/approvals', { replace: true });
            }}
          >
            <option value="">{t('filter.all')}</option>
            {APPROVAL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`approval.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {unavailable && <Unavailable what={t('nav.approvals')} />}
      {error && <ErrorBox error={error} />}
      {loaded && !unavailable && !error && list.length === 0 && (
        <div class="empty">
          <p class="empty-title">{t('approvals.empty')}</p>
        </div>
      )}
      {list.length > 0 && (
        <table class="table" data-testid="approvals-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('approvals.col.action')}</th>
              <th scope="col">{t('approvals.col.risk')}</th>
              <th scope="col">{t('approvals.col.status')}</th>
              <th scope="col">{t('approvals.col.signatures')}</th>
              <th scope="col">{t('approvals.col.incident')}</th>
              <th scope="col">{t('approvals.col.created')}</th>
              <th scope="col">{t('approvals.col.expires')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((a) => {
              const p = factorProgress(a.factors ?? []);
              return (
                <tr key={a.id} data-approval-id={a.id} class={a.status === 'pending' ? 'pending' : ''}>
                  <td>
                    <Link to={`/approvals/${a.id}`} aria-label={t('approval.title', { id: a.id })}>
                      #{a.id}
                    </Link>
                  </td>
                  <td>
                    <Link to={`/approvals/${a.id}`}>
                      <code>{a.action.kind}</code> {actionTarget(a.action)}
                    </Link>
                  </td>
                  <td>
                    <RiskBadge level={a.risk?.effective} />
                  </td>
                  <td>
                    <StatusPill status={a.status} />
                  </td>
                  <td class="num">
                    {p.signed}/{p.needed}
                    {a.status === 'pending' && a.can_sign && <span class="tag-you"> {t('approvals.yourTurn')}</span>}
                  </td>
                  <td>{a.incident_id ? <Link to={`/incidents/${a.incident_id}`} aria-label={t('approvals.incidentLink', { id: a.incident_id })}>
                        #{a.incident_id}
                      </Link> : '—'}</td>
                  <td>
                    <Time at={a.created_at} />
                  </td>
                  <td>{a.status === 'pending' ? <Time at={a.expires_at} /> : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {nextBefore !== null && (
        <button type="button" class="ghost more" onClick={older}>
          {t('common.older')}
        </button>
      )}
    </section>
  );
}
