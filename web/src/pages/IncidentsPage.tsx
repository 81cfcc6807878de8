// Incidents, live: the list is loaded once, then each live event reloads only the incident it
// names. Correlated incidents (parent_id) are folded under the incident that caused them.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { Incident } from '../api/types';
import { ErrorBox, IncidentStatusPill, SeverityBadge, Time } from '../components/Badges';
import { Link } from '../components/Link';
import { useI18n } from '../i18n';
import { useLive, useSession, useThrottled } from '../lib/context';
import { navigate, useLocation } from '../lib/router';
import {
  distinctServices,
  incidentToReload,
  mergeIncidents,
  upsertIncident,
  visibleIncidents,
  type IncidentFilter,
} from '../state/incidents';
import { AckControl } from '../components/AckControl';

const STATUS = ['', 'firing', 'resolved'] as const;
const SEVERITY = ['', 'critical', 'error', 'warning', 'info'] as const;

function filterFromQuery(q: URLSearchParams): IncidentFilter {
  const status = q.get('status') ?? '';
  const severity = q.get('severity') ?? '';
  return {
    status: (STATUS as readonly string[]).includes(status) ? (status as IncidentFilter['status']) : '',
    service: q.get('service') ?? '',
    severity: (SEVERITY as readonly string[]).includes(severity) ? (severity as IncidentFilter['severity']) : '',
  };
}

function queryFromFilter(f: IncidentFilter): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.service) q.set('service', f.service);
  if (f.severity) q.set('severity', f.severity);
  const s = q.toString();
  return s ? `/incidents?${s}` : '/incidents';
}

export function IncidentsPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const loc = useLocation();
  const filter = filterFromQuery(loc.query);
  const [list, setList] = useState<Incident[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState('');
  const [expanded, setExpanded] = useState<Set<number>>(new Set());

  const load = () => {
    api.incidents({ limit: 200 }).then(
      (r) => {
        setList((old) => mergeIncidents(old, r.incidents));
        setNextBefore(r.next_before);
        setLoaded(true);
        setError('');
      },
      (e: ApiError) => {
        setError(e.message);
        setLoaded(true);
      },
    );
  };
  useEffect(load, [api]);
  const reloadAll = useThrottled(load, 500);

  useLive((type, data) => {
    if (type === 'resync') return reloadAll();
    const id = incidentToReload(list, type, data);
    if (id === null) return;
    api.incident(id).then(
      (d) => {
        const { alerts: _alerts, ...inc } = d;
        setList((old) => upsertIncident(old, inc));
      },
      () => reloadAll(),
    );
  });

  const olderPage = () => {
    if (nextBefore === null) return;
    api.incidents({ limit: 200, before: nextBefore }).then(
      (r) => {
        setList((old) => mergeIncidents(old, r.incidents));
        setNextBefore(r.next_before);
      },
      (e: ApiError) => setError(e.message),
    );
  };

  const nodes = useMemo(() => visibleIncidents(list, filter), [list, filter.status, filter.service, filter.severity]);
  const services = useMemo(() => distinctServices(list), [list]);
  const setFilter = (f: Partial<IncidentFilter>) => navigate(queryFromFilter({ ...filter, ...f }), { replace: true });
  const firing = list.filter((i) => i.status === 'firing').length;

  const toggle = (id: number) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const onAcked = (inc: Incident) => setList((old) => upsertIncident(old, inc));

  return (
    <section class="page" aria-labelledby="incidents-title">
      <div class="page-head">
        <h1 id="incidents-title">{t('incidents.title')}</h1>
        <span class="muted" data-testid="firing-count">
          {t('incidents.firingCount', { n: firing })}
        </span>
      </div>
      <form class="filters" role="search" aria-label={t('incidents.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t('filter.status')}</span>
          <select
            value={filter.status}
            aria-label={t('filter.status')}
            onChange={(e) => setFilter({ status: (e.currentTarget as HTMLSelectElement).value as IncidentFilter['status'] })}
          >
            {STATUS.map((s) => (
              <option key={s} value={s}>
                {s ? t(`incident.status.${s}`) : t('filter.all')}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('filter.service')}</span>
          <input
            type="search"
            list="service-list"
            value={filter.service}
            placeholder={t('filter.servicePlaceholder')}
            aria-label={t('filter.service')}
            onInput={(e) => setFilter({ service: (e.currentTarget as HTMLInputElement).value })}
          />
          <datalist id="service-list">
            {services.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </label>
        <label>
          <span>{t('filter.severity')}</span>
          <select
            value={filter.severity}
            aria-label={t('filter.severity')}
            onChange={(e) =>
              setFilter({ severity: (e.currentTarget as HTMLSelectElement).value as IncidentFilter['severity'] })
            }
          >
            {SEVERITY.map((s) => (
              <option key={s} value={s}>
                {s ? t(`severity.${s}`) : t('filter.all')}
              </option>
            ))}
          </select>
        </label>
        {(filter.status || filter.service || filter.severity) && (
          <button type="button" class="ghost" onClick={() => navigate('/incidents', { replace: true })}>
            {t('filter.clear')}
          </button>
        )}
      </form>
      {error && <ErrorBox error={error} />}
      {loaded && nodes.length === 0 && !error && (
        <div class="empty" data-testid="incidents-empty">
          <p class="empty-title">{list.length === 0 ? t('incidents.emptyTitle') : t('incidents.noMatch')}</p>
          {list.length === 0 && <p class="muted">{t('incidents.emptyHint')}</p>}
        </div>
      )}
      {nodes.length > 0 && (
        <table class="table incidents" data-testid="incident-table">
          <caption class="sr-only">{t('incidents.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('incidents.col.severity')}</th>
              <th scope="col">{t('incidents.col.incident')}</th>
              <th scope="col">{t('incidents.col.service')}</th>
              <th scope="col">{t('incidents.col.status')}</th>
              <th scope="col" class="num">
                {t('incidents.col.alerts')}
              </th>
              <th scope="col">{t('incidents.col.opened')}</th>
              <th scope="col">{t('incidents.col.owner')}</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => {
              const open = expanded.has(n.incident.id);
              return [
                <IncidentRow
                  key={n.incident.id}
                  incident={n.incident}
                  onAcked={onAcked}
                  extra={
                    <>
                      {n.orphanOf !== null && (
                        <span class="muted small">
                          {' '}
                          · <Link to={`/incidents/${n.orphanOf}`}>{t('incidents.causedBy', { id: n.orphanOf })}</Link>
                        </span>
                      )}
                      {n.children.length > 0 && (
                        <button
                          type="button"
                          class="fold"
                          aria-expanded={open}
                          aria-controls={`children-${n.incident.id}`}
                          onClick={() => toggle(n.incident.id)}
                        >
                          {open ? '▾ ' : '▸ '}
                          {t('incidents.correlated', { n: n.children.length })}
                        </button>
                      )}
                    </>
                  }
                />,
                ...(open
                  ? n.children.map((c) => (
                      <IncidentRow key={c.id} incident={c} onAcked={onAcked} child id={`children-${n.incident.id}`} />
                    ))
                  : []),
              ];
            })}
          </tbody>
        </table>
      )}
      {nextBefore !== null && (
        <button type="button" class="ghost more" onClick={olderPage}>
          {t('common.older')}
        </button>
      )}
    </section>
  );
}

function IncidentRow(props: { incident: Incident; onAcked: (i: Incident) => void; child?: boolean; extra?: ComponentChildren; id?: string }) {
  const { t } = useI18n();
  const i = props.incident;
  return (
    <tr class={`${props.child ? 'child' : ''} ${i.status}`} data-incident-id={i.id} id={props.id}>
      <td>
        <SeverityBadge severity={i.severity} />
      </td>
      <td class="title-cell">
        {props.child && (
          <span class="child-mark" aria-label={t('incidents.childOf', { id: i.parent_id ?? '' })}>
            ↳{' '}
          </span>
        )}
        <Link to={`/incidents/${i.id}`}>{i.title || i.alertname}</Link>
        <span class="muted small"> #{i.id}</span>
        {props.extra}
      </td>
      <td>
        <Link to={`/topology?service=${encodeURIComponent(i.service)}`} class="service" aria-label={t('incidents.onTopology', { service: i.service })}>
          {i.service}
        </Link>
      </td>
      <td>
        <IncidentStatusPill status={i.status} />
      </td>
      <td class="num">
        {i.firing_count}/{i.alert_count}
      </td>
      <td>
        <Time at={i.opened_at} />
      </td>
      <td>
        <AckControl incident={i} onAcked={props.onAcked} compact />
      </td>
    </tr>
  );
}
