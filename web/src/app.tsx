// The dashboard shell: sign-in, the header (navigation, live status, language, theme, who is
// signed in, sign out) and the page for the current path.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient, ApiError } from './api/client';
import { LiveEvents, type LiveStatus } from './api/live';
import type { WhoAmI } from './api/types';
import { Link } from './components/Link';
import { I18nContext, LANGS, loadLang, saveLang, translate, useI18n, type I18n, type Lang } from './i18n';
import { SessionContext, type Notice, type Session } from './lib/context';
import { matchPath, navigate, useLocation } from './lib/router';
import { loadTheme, saveTheme, applyTheme, type Theme } from './lib/theme';
import { clearToken, loadToken, saveToken } from './lib/token';
import { ApprovalPage } from './pages/ApprovalPage';
import { ApprovalsPage } from './pages/ApprovalsPage';
import { AuditPage } from './pages/AuditPage';
import { IncidentPage } from './pages/IncidentPage';
import { IncidentsPage } from './pages/IncidentsPage';
import { SignIn } from './pages/SignIn';
import { TopologyPage } from './pages/TopologyPage';
import { TrustPage } from './pages/TrustPage';

const NAV = [
  { to: '/incidents', key: 'nav.incidents' },
  { to: '/approvals', key: 'nav.approvals' },
  { to: '/topology', key: 'nav.topology' },
  { to: '/trust', key: 'nav.trust' },
  { to: '/audit', key: 'nav.audit' },
];

export function App() {
  const [lang, setLangState] = useState<Lang>(loadLang);
  const [theme, setThemeState] = useState<Theme>(loadTheme);
  const [token, setToken] = useState<string | null>(loadToken);
  const [who, setWho] = useState<WhoAmI | null>(null);
  const [signInError, setSignInError] = useState<string>('');

  const i18n: I18n = useMemo(
    () => ({
      lang,
      t: (k, v) => translate(lang, k, v),
      setLang: (l: Lang) => {
        saveLang(l);
        setLangState(l);
      },
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => applyTheme(theme), [theme]);

  const signOut = useCallback((reason = '') => {
    clearToken();
    setToken(null);
    setWho(null);
    setSignInError(reason);
  }, []);

  // A token kept from earlier in this tab's session: check it before showing anything.
  useEffect(() => {
    if (!token || who) return;
    const api = new ApiClient({ token });
    api.whoami().then(setWho, (e: ApiError) => {
      signOut(e.unauthenticated ? i18n.t('signin.expired') : e.message);
    });
  }, [token]);

  const onSignedIn = (t: string, w: WhoAmI) => {
    saveToken(t);
    setToken(t);
    setWho(w);
    setSignInError('');
    if (window.location.pathname === '/' || window.location.pathname === '/signin') navigate('/incidents', { replace: true });
  };

  return (
    <I18nContext.Provider value={i18n}>
      {token && who ? (
        <Shell
          token={token}
          who={who}
          theme={theme}
          setTheme={(t) => {
            saveTheme(t);
            applyTheme(t); // at once, not after the next render
            setThemeState(t);
          }}
          onSignOut={signOut}
        />
      ) : token && !who ? (
        <div class="boot" role="status">
          {i18n.t('common.loading')}
        </div>
      ) : (
        <SignIn onSignedIn={onSignedIn} initialError={signInError} />
      )}
    </I18nContext.Provider>
  );
}

function Shell(props: {
  token: string;
  who: WhoAmI;
  theme: Theme;
  setTheme: (t: Theme) => void;
  onSignOut: (reason?: string) => void;
}) {
  const { token, who, theme, setTheme, onSignOut } = props;
  const { t, lang, setLang } = useI18n();
  const loc = useLocation();
  const [liveStatus, setLiveStatus] = useState<LiveStatus>('connecting');
  const [now, setNow] = useState(() => Date.now());
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextNotice = useRef(1);
  const signOutRef = useRef(onSignOut);
  signOutRef.current = onSignOut;
  const expiredText = t('signin.expired');

  const api = useMemo(
    () => new ApiClient({ token, onUnauthenticated: () => signOutRef.current(expiredText) }),
    [token],
  );
  const live = useMemo(() => new LiveEvents(api.sseUrl('/api/v1/events')), [api]);
  useEffect(() => {
    const off = live.onStatus(setLiveStatus);
    live.start();
    return () => {
      off();
      live.stop();
    };
  }, [live]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15000);
    return () => clearInterval(timer);
  }, []);

  const notify = useCallback((kind: Notice['kind'], text: string) => {
    const id = nextNotice.current++;
    setNotices((n) => [...n.slice(-3), { id, kind, text }]);
    setTimeout(() => setNotices((n) => n.filter((x) => x.id !== id)), kind === 'error' ? 10000 : 5000);
  }, []);

  const session: Session = useMemo(() => ({ api, live, who, now, notify }), [api, live, who, now, notify]);

  let page;
  let m: Record<string, string> | null;
  if ((m = matchPath('/incidents/:id', loc.path))) page = <IncidentPage id={Number(m.id)} />;
  else if (matchPath('/incidents', loc.path) || loc.path === '/') page = <IncidentsPage />;
  else if ((m = matchPath('/approvals/:id', loc.path))) page = <ApprovalPage id={Number(m.id)} />;
  else if (matchPath('/approvals', loc.path)) page = <ApprovalsPage />;
  else if (matchPath('/topology', loc.path)) page = <TopologyPage service={loc.query.get('service') ?? ''} />;
  else if (matchPath('/trust', loc.path)) page = <TrustPage />;
  else if (matchPath('/audit', loc.path)) page = <AuditPage />;
  else
    page = (
      <section class="page">
        <h1>{t('notfound.title')}</h1>
        <p>
          <Link to="/incidents">{t('notfound.back')}</Link>
        </p>
      </section>
    );

  const section = '/' + (loc.path.split('/')[1] || 'incidents');

  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">
        {t('common.skip')}
      </a>
      <header class="topbar">
        <Link to="/incidents" class="brand" aria-label={t('brand.home')}>
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>
          AWOOOI
        </Link>
        <nav aria-label={t('nav.label')}>
          <ul class="nav">
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} class={section === n.to ? 'active' : ''} aria-current={section === n.to ? 'page' : undefined}>
                  {t(n.key)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="topbar-right">
          <span class={`live live-${liveStatus}`} role="status" data-testid="live-status" title={t(`live.${liveStatus}.hint`)}>
            <span class="dot" aria-hidden="true" />
            {t(`live.${liveStatus}`)}
          </span>
          <label class="sr-only" for="lang-select">
            {t('header.language')}
          </label>
          <select
            id="lang-select"
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
          <button
            type="button"
            class="ghost compact"
            aria-label={theme === 'dark' ? t('header.theme.toLight') : t('header.theme.toDark')}
            title={theme === 'dark' ? t('header.theme.toLight') : t('header.theme.toDark')}
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <span class="whoami" data-testid="whoami">
            <span class="user">{who.user}</span>
            <span class="role">{t(`role.${who.role}`)}</span>
          </span>
          <button type="button" class="ghost compact" onClick={() => onSignOut('')}>
            {t('header.signout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <div class="notices" aria-live="polite" aria-atomic="false">
        {notices.map((n) => (
          <div key={n.id} class={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
            {n.text}
          </div>
        ))}
      </div>
    </SessionContext.Provider>
  );
}
