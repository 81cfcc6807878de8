// The topology: unhealthy services coloured by health; for the selected service (a click, the
// ?service= link from an incident, or the top-most unhealthy service), its root cause and blast
// radius are highlighted and listed. The same facts are in a table for keyboards and readers.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { BlastRadius, RootCause, Topology } from '../api/types';
import { ErrorBox, SeverityBadge } from '../components/Badges';
import { TopologyGraph } from '../components/TopologyGraph';
import { useI18n } from '../i18n';
import { useLive, useSession, useThrottled } from '../lib/context';
import { navigate } from '../lib/router';
import { defaultFocus, highlightFor } from '../state/topology';

export function TopologyPage(props: { service: string }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [topology, setTopology] = useState<Topology | null>(null);
  const [error, setError] = useState('');
  const [rc, setRc] = useState<RootCause | null>(null);
  const [br, setBr] = useState<BlastRadius | null>(null);
  const selected = props.service || (topology ? defaultFocus(topology) : '');

  const loadTopology = () =>
    api.topology().then(
      (tp) => {
        setTopology(tp);
        setError('');
      },
      (e: ApiError) => setError(e.message),
    );
  const loadFocus = (service: string) => {
    if (!service) {
      setRc(null);
      setBr(null);
      return;
    }
    api.rootCause(service).then(setRc, () => setRc(null));
    api.blastRadius(service).then(setBr, () => setBr(null));
  };

  useEffect(() => void loadTopology(), [api]);
  useEffect(() => loadFocus(selected), [api, selected]);

  const refresh = useThrottled(() => {
    loadTopology();
    loadFocus(selected);
  }, 1000);
  useLive((type) => {
    if (type === 'resync' || type.startsWith('incident.')) refresh();
  });

  const highlight = useMemo(() => highlightFor(selected, rc, br), [selected, rc, br]);
  const select = (s: string) => navigate(`/topology?service=${encodeURIComponent(s)}`, { replace: true });

  const roleOf = (name: string): string => {
    if (highlight.rootCauses.has(name)) return t('topology.role.rootCause');
    if (name === selected) return t('topology.role.selected');
    if (highlight.symptoms.has(name)) return t('topology.role.symptom');
    if (highlight.blast.has(name)) return t('topology.role.blast');
    return '';
  };
  const labelFor = (name: string, kind: string) => {
    const role = highlight.rootCauses.has(name) ? `\n${t('topology.role.rootCause').toUpperCase()}` : '';
    const kindText = t(`kind.${kind}`);
    return kind === name || kindText === name ? `${name}${role}` : `${name}\n${kindText}${role}`;
  };

  if (error) return <section class="page"><ErrorBox error={error} /></section>;
  if (!topology) return <section class="page" aria-busy="true"><p class="muted">{t('common.loading')}</p></section>;

  const sel = topology.services.find((s) => s.name === selected);
  const causes = (rc?.root_causes ?? []).filter((c) => c.role === 'cause' || highlight.rootCauses.has(c.service));

  return (
    <section class="page topology-page" aria-labelledby="topology-title">
      <div class="page-head">
        <h1 id="topology-title">{t('topology.title')}</h1>
        <ul class="legend" aria-label={t('topology.legend')}>
          <li><span class="swatch sw-crit" aria-hidden="true" />{t('topology.legend.rootCause')}</li>
          <li><span class="swatch sw-blast" aria-hidden="true" />{t('topology.legend.blast')}</li>
          <li><span class="swatch sw-path" aria-hidden="true" />{t('topology.legend.path')}</li>
          <li><span class="swatch sw-selected" aria-hidden="true" />{t('topology.legend.selected')}</li>
        </ul>
      </div>
      <div class="topology-grid">
        <div class="card graph-card">
          <TopologyGraph
            topology={topology}
            highlight={highlight}
            labelFor={labelFor}
            onSelect={select}
            ariaLabel={t('topology.graphLabel', { n: topology.services.length })}
          />
          <p class="muted small graph-hint">{t('topology.hint')}</p>
        </div>
        <aside class="card focus" aria-labelledby="focus-title" data-testid="topology-focus">
          {!sel ? (
            <>
              <h2 id="focus-title">{t('topology.allHealthy')}</h2>
              <p class="muted">{t('topology.pick')}</p>
            </>
          ) : (
            <>
              <h2 id="focus-title">
                {sel.name} <span class="muted small">{t(`kind.${sel.kind}`)}</span>
              </h2>
              <p>
                <SeverityBadge severity={sel.health} /> <span class="muted">{sel.namespace}</span>
                {sel.owners.length > 0 && <span class="muted"> · {t('topology.owners', { owners: sel.owners.join(', ') })}</span>}
              </p>
              <h3>{t('topology.rootCause')}</h3>
              {causes.length === 0 ? (
                <p class="muted" data-testid="focus-no-cause">{t('topology.noCause')}</p>
              ) : (
                <ol class="candidates" data-testid="focus-root-causes">
                  {causes.map((c) => (
                    <li key={c.service}>
                      <strong class="root">{c.service}</strong> <span class="muted">{t(`kind.${c.kind}`)}</span>{' '}
                      <SeverityBadge severity={c.severity} />
                      <ol class="path" aria-label={t('approval.evidencePath')}>
                        {c.path.map((s, i) => (
                          <li key={`${s}-${i}`} class={s === c.service ? 'root' : ''}>{s}</li>
                        ))}
                      </ol>
                    </li>
                  ))}
                </ol>
              )}
              <h3>{t('topology.blastRadius')}</h3>
              {(br?.affected ?? []).length === 0 ? (
                <p class="muted">{t('approval.noBlast')}</p>
              ) : (
                <ul class="chips" data-testid="focus-blast">
                  {br!.affected.map((a) => (
                    <li key={a.service} class="chip">
                      {a.service} <span class="muted small">{t('incident.depth', { n: a.depth })}</span>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </aside>
      </div>
      <section class="card" aria-labelledby="services-title">
        <h2 id="services-title">{t('topology.services')}</h2>
        <table class="table compact-table" data-testid="topology-table">
          <thead>
            <tr>
              <th scope="col">{t('topology.col.service')}</th>
              <th scope="col">{t('topology.col.kind')}</th>
              <th scope="col">{t('topology.col.health')}</th>
              <th scope="col">{t('topology.col.role')}</th>
              <th scope="col">{t('topology.col.dependsOn')}</th>
            </tr>
          </thead>
          <tbody>
            {topology.services.map((s) => (
              <tr key={s.name} class={s.name === selected ? 'selected' : ''} data-service={s.name}>
                <td>
                  <button type="button" class="linklike" onClick={() => select(s.name)} aria-pressed={s.name === selected}>
                    {s.name}
                  </button>
                </td>
                <td>{t(`kind.${s.kind}`)}</td>
                <td><SeverityBadge severity={s.health} /></td>
                <td class="role-cell">{roleOf(s.name)}</td>
                <td class="muted">{topology.edges.filter((e) => e.from === s.name).map((e) => e.to).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}
