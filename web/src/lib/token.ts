// The API token lives in sessionStorage: it survives a reload of the tab and is gone when the
// tab closes. It is never written to localStorage, cookies or the URL of a page.
const KEY = 'awoooi.token';

export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // storage disabled: signed in until reload
  }
}

export function clearToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing kept
  }
}
