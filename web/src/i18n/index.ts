// A small message layer: every visible string is a key in en.json and zh-TW.json (a Vitest test
// keeps the two files' keys identical). Messages may hold {name} placeholders. The chosen
// language is remembered in localStorage; the first visit follows the browser.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import en from './en.json';
import zhTW from './zh-TW.json';

export type Lang = 'en' | 'zh-TW';
export const LANGS: Lang[] = ['en', 'zh-TW'];
export type Messages = Record<string, string>;

export const MESSAGES: Record<Lang, Messages> = { en, 'zh-TW': zhTW };
const STORAGE_KEY = 'awoooi.lang';

export function translate(lang: Lang, key: string, vars?: Record<string, string | number>): string {
  const msg = MESSAGES[lang][key] ?? MESSAGES.en[key] ?? key;
  if (!vars) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function initialLang(stored: string | null, browser: string | undefined): Lang {
  if (stored === 'en' || stored === 'zh-TW') return stored;
  if (browser && /^zh\b/i.test(browser)) return 'zh-TW';
  return 'en';
}

export function loadLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // storage disabled: follow the browser
  }
  return initialLang(stored, typeof navigator !== 'undefined' ? navigator.language : undefined);
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered; still switched for this page
  }
}

export type T = (key: string, vars?: Record<string, string | number>) => string;

export interface I18n {
  lang: Lang;
  t: T;
  setLang: (l: Lang) => void;
}

export const I18nContext = createContext<I18n>({
  lang: 'en',
  t: (k, v) => translate('en', k, v),
  setLang: () => {},
});

export function useI18n(): I18n {
  return useContext(I18nContext);
}
