// The ThinkingTerminal's stream state as a reducer (unit-tested without a browser).
// After a reconnect the server replays the transcript from the start, so the text collected so
// far is dropped when a later connection opens.

export type ThinkingPhase = 'connecting' | 'streaming' | 'done' | 'waiting' | 'reconnecting' | 'closed';

export interface ThinkingState {
  phase: ThinkingPhase;
  text: string;
  message: string;
  opens: number;
}

export const initialThinking: ThinkingState = { phase: 'connecting', text: '', message: '', opens: 0 };

export type ThinkingEvent =
  | { type: 'open' }
  | { type: 'thinking'; data: string }
  | { type: 'proposal' }
  | { type: 'server-error'; message: string }
  | { type: 'connection-error'; closed: boolean };

export function thinkingReducer(s: ThinkingState, ev: ThinkingEvent): ThinkingState {
  switch (ev.type) {
    case 'open':
      // A second open is a reconnect: the server replays everything, start over.
      return { phase: 'streaming', text: s.opens > 0 ? '' : s.text, message: '', opens: s.opens + 1 };
    case 'thinking':
      if (s.phase === 'done') return s;
      return { ...s, phase: 'streaming', text: s.text + ev.data };
    case 'proposal':
      return { ...s, phase: 'done' };
    case 'server-error':
      return { ...s, phase: s.text ? 'closed' : 'waiting', message: ev.message };
    case 'connection-error':
      if (s.phase === 'done' || s.phase === 'waiting') return s;
      return { ...s, phase: ev.closed ? 'closed' : 'reconnecting' };
  }
}
