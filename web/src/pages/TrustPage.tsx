// Trust per action pattern: signed actions that succeed raise it, a rejection or a failed run
// resets it; enough trust lowers the risk a pattern runs at (MEDIUM runs as LOW from 5; HIGH needs one signature from 10).
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { TrustPattern } from '../api/types';
import { ErrorBox, RiskBadge, Time } from '../components/Badges';
import { Unavailable } from '../components/Unavailable';
import { useI18n } from '../i18n';
import { useLive, useSession, useThrottled } from '../lib/context';

export function TrustPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const [list, setList] = useState<TrustPattern[] | null>(null);
  const [error, setError] = useState('');
  const [unavailable, setUnavailable] = useState(false);

  const load = () =>
    api.trust().then(
      (r) => {
        setList(r.patterns.slice().sort((a, b) => b.score - a.score || a.pattern.localeCompare(b.pattern)));
        setError('');
      },
      (e: ApiError) => (e.notFound ? setUnavailable(true) : setError(e.message)),
    );
  useEffect(() => void load(), [api]);
  const reload = useThrottled(() => void load(), 500);
  useLive((type) => {
    if (type === 'resync' || type === 'trust.changed') reload();
  });

  return (
    <section class="page" aria-labelledby="trust-title">
      <div class="page-head">
        <h1 id="trust-title">{t('trust.title')}</h1>
      </div>
      <p class="muted">{t('trust.explain')}</p>
      {unavailable && <Unavailable what={t('nav.trust')} />}
      {error && <ErrorBox error={error} />}
      {list && list.length === 0 && (
        <div class="empty">
          <p class="empty-title">{t('trust.empty')}</p>
        </div>
      )}
      {list && list.length > 0 && (
        <table class="table" data-testid="trust-table">
          <thead>
            <tr>
              <th scope="col">{t('trust.col.pattern')}</th>
              <th scope="col" class="num">{t('trust.col.score')}</th>
              <th scope="col" class="num">{t('trust.col.approvals')}</th>
              <th scope="col" class="num">{t('trust.col.rejections')}</th>
              <th scope="col">{t('trust.col.risk')}</th>
              <th scope="col">{t('trust.col.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.pattern}>
                <td><code>{p.pattern}</code></td>
                <td class="num">
                  <span class="score">{p.score}</span>
                  <span class="meter" aria-hidden="true"><span style={{ width: `${Math.min(100, p.score * 10)}%` }} /></span>
                </td>
                <td class="num">{p.approvals}</td>
                <td class="num">{p.rejections}</td>
                <td>
                  <RiskBadge level={p.risk} />
                  {p.effective !== p.risk && (
                    <>
                      {' → '}
                      <RiskBadge level={p.effective} />
                    </>
                  )}
                </td>
                <td><Time at={p.updated_at} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
