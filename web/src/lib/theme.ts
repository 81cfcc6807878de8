// Dark by default (3 AM); light on request, remembered in localStorage. public/theme-init.js
// applies the remembered theme before the first paint.
export type Theme = 'dark' | 'light';
const KEY = 'awoooi.theme';

export function loadTheme(): Theme {
  try {
    return localStorage.getItem(KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export function saveTheme(t: Theme): void {
  try {
    localStorage.setItem(KEY, t);
  } catch {
    // not remembered
  }
}

export function applyTheme(t: Theme): void {
  document.documentElement.setAttribute('data-theme', t);
}
