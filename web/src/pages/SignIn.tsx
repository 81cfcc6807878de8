import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiClient, ApiError } from '../api/client';
import type { WhoAmI } from '../api/types';
import { LANGS, useI18n, type Lang } from '../i18n';

// Signs in with an API token: the token is checked with GET /api/v1/whoami before it is kept.
export function SignIn(props: { onSignedIn: (token: string, who: WhoAmI) => void; initialError?: string }) {
  const { t, lang, setLang } = useI18n();
  const [token, setToken] = useState('');
  const [error, setError] = useState(props.initialError ?? '');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []); // the one thing to do here: type the token

  const submit = async (e: Event) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) {
      setError(t('signin.empty'));
      return;
    }
    setBusy(true);
    setError('');
    try {
      const who = await new ApiClient({ token: value }).whoami();
      props.onSignedIn(value, who);
    } catch (err) {
      const e2 = err as ApiError;
      setError(e2.unauthenticated ? t('signin.rejected') : e2.code === 'network' ? t('error.network') : e2.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <form class="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div class="brand big">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>
          AWOOOI
        </div>
        <p class="tagline">{t('brand.tagline')}</p>
        <h1 id="signin-title">{t('signin.title')}</h1>
        <label for="token">{t('signin.token')}</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          placeholder="awi_…"
          value={token}
          aria-describedby="token-help"
          aria-invalid={error ? 'true' : undefined}
          onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)}
          ref={input}
        />
        <p id="token-help" class="help">
          {t('signin.help')}
        </p>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signin.checking') : t('signin.submit')}
        </button>
        <div class="signin-foot">
          <label for="signin-lang" class="sr-only">
            {t('header.language')}
          </label>
          <select
            id="signin-lang"
            class="compact"
            value={lang}
            aria-label={t('header.language')}
            onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}
          >
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {t(`lang.${l}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
    </main>
  );
}
