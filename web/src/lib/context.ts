// What every page needs from the signed-in session: the API client, live events, who is
// signed in, a clock that ticks (relative times stay fresh), and a way to show a notice.
import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { ApiClient } from '../api/client';
import type { LiveEvents } from '../api/live';
import type { WhoAmI } from '../api/types';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface Session {
  api: ApiClient;
  live: LiveEvents;
  who: WhoAmI;
  now: number;
  notify: (kind: Notice['kind'], text: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in session');
  return s;
}

// Subscribes to live events for the component's lifetime; the latest listener is always used.
export function useLive(listener: (type: string, data: unknown) => void): void {
  const { live } = useSession();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => live.on((type, data) => ref.current(type, data)), [live]);
}

// Runs `fn` at most once per `ms` however many events ask for it (a storm of 500 alerts
// reloads a list a few times, not 500 times).
export function useThrottled(fn: () => void, ms: number): () => void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      fnRef.current();
    }, ms);
  };
}
