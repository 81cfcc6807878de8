// The audit trail: the chain's verification result on top (ok, or the first broken entry and
// why), then the entries newest first, filterable by kind, paged with "older".
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { AuditEntry, AuditVerify } from '../api/types';
import { ErrorBox, Time } from '../components/Badges';
import { Unavailable } from '../components/Unavailable';
import { useI18n } from '../i18n';
import { useLive, useSession, useThrottled } from '../lib/context';
import { shortHash } from '../lib/format';

const KINDS = ['', 'alert.received', 'analysis', 'proposal', 'dry_run', 'signature', 'rejection', 'void', 'expiry', 'execution', 'result', 'trust'];

export function AuditPage() {
  const { t } = useI18n();
  const { api } = useSession();
  const [kind, setKind] = useState('');
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [error, setError] = useState('');
  const [unavailable, setUnavailable] = useState(false);

  const load = () =>
    api.audit({ kind, limit: 100 }).then(
      (r) => {
        setEntries(r.entries);
        setNextBefore(r.next_before);
        setError('');
      },
      (e: ApiError) => (e.notFound ? setUnavailable(true) : setError(e.message)),
    );
  const runVerify = () => {
    setVerifying(true);
    api
      .auditVerify()
      .then(setVerify, (e: ApiError) => (e.notFound ? setUnavailable(true) : setError(e.message)))
      .finally(() => setVerifying(false));
  };
  useEffect(() => void load(), [api, kind]);
  useEffect(runVerify, [api]);
  const reload = useThrottled(() => void load(), 1000);
  useLive((type) => {
    if (type === 'resync' || type.startsWith('approval.') || type === 'trust.changed') reload();
  });

  const older = () => {
    if (nextBefore === null) return;
    api.audit({ kind, limit: 100, before: nextBefore }).then(
      (r) => {
        setEntries((old) => [...(old ?? []), ...r.entries]);
        setNextBefore(r.next_before);
      },
      (e: ApiError) => setError(e.message),
    );
  };

  return (
    <section class="page" aria-labelledby="audit-title">
      <div class="page-head">
        <h1 id="audit-title">{t('audit.title')}</h1>
      </div>
      {unavailable && <Unavailable what={t('nav.audit')} />}
      {verify && (
        <div class={`verify ${verify.ok ? 'verify-ok' : 'verify-bad'}`} role="status" data-testid="audit-verify">
          <strong>{verify.ok ? `✓ ${t('audit.verifyOk')}` : `✗ ${t('audit.verifyBad', { seq: verify.first_bad ?? '?' })}`}</strong>
          <span>
            {' '}
            {t('audit.verifyCounts', { entries: verify.entries, checkpoints: verify.checkpoints })}
          </span>
          {!verify.ok && verify.reason && <div>{verify.reason}</div>}
          <button type="button" class="ghost small" onClick={runVerify} disabled={verifying}>
            {verifying ? t('audit.verifying') : t('audit.verifyAgain')}
          </button>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      {!unavailable && (
        <form class="filters" role="search" aria-label={t('audit.filters')} onSubmit={(e) => e.preventDefault()}>
          <label>
            <span>{t('audit.kind')}</span>
            <select value={kind} aria-label={t('audit.kind')} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value)}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k ? k : t('filter.all')}
                </option>
              ))}
            </select>
          </label>
        </form>
      )}
      {entries && entries.length === 0 && (
        <div class="empty">
          <p class="empty-title">{t('audit.empty')}</p>
        </div>
      )}
      {entries && entries.length > 0 && (
        <table class="table audit" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col" class="num">{t('audit.col.seq')}</th>
              <th scope="col">{t('audit.col.at')}</th>
              <th scope="col">{t('audit.col.kind')}</th>
              <th scope="col">{t('audit.col.actor')}</th>
              <th scope="col">{t('audit.col.subject')}</th>
              <th scope="col">{t('audit.col.detail')}</th>
              <th scope="col">{t('audit.col.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} class={verify && verify.first_bad !== null && e.seq >= verify.first_bad ? 'broken' : ''}>
                <td class="num">{e.seq}</td>
                <td><Time at={e.at} /></td>
                <td><code>{e.kind}</code></td>
                <td>{e.actor}</td>
                <td>{e.subject}</td>
                <td class="detail"><code>{JSON.stringify(e.detail)}</code></td>
                <td><code title={e.hash}>{shortHash(e.hash, 10)}</code></td>
              </tr>
            ))}
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
