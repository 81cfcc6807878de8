// Live updates: one EventSource on GET /api/v1/events for the whole session. Listeners get each
// named event with its JSON data. EventSource reconnects by itself after a network error; when it
// gives up (the server refused the stream, e.g. a 401 after a restart) we reconnect with backoff.
// Each time the stream opens, a synthetic "resync" event tells listeners to reload what they
// show: events sent while disconnected are not replayed, and at the first open a page may have
// loaded its data before the subscription existed (an alert stored in between would be missed).

export const LIVE_EVENT_TYPES = [
  'incident.opened',
  'incident.reopened',
  'incident.updated',
  'incident.resolved',
  'incident.acknowledged',
  'incident.analysis',
  'incident.linked',
  'approval.requested',
  'approval.signed',
  'approval.approved',
  'approval.rejected',
  'approval.voided',
  'approval.expired',
  'approval.executing',
  'approval.succeeded',
  'approval.failed',
  'trust.changed',
] as const;

export type LiveStatus = 'connecting' | 'live' | 'down';
export type LiveListener = (type: string, data: unknown) => void;

// The subset of EventSource we use, so tests can pass a fake.
export interface EventSourceLike {
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onerror: ((ev: Event) => void) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}
export type EventSourceFactory = (url: string) => EventSourceLike;

const CLOSED = 2;

export function parseEventData(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export class LiveEvents {
  private es: EventSourceLike | null = null;
  private listeners = new Set<LiveListener>();
  private statusListeners = new Set<(s: LiveStatus) => void>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = 2000;
  private stopped = false;
  status: LiveStatus = 'connecting';

  constructor(
    private readonly url: string,
    private readonly factory: EventSourceFactory = (u) => new EventSource(u) as unknown as EventSourceLike,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.es?.close();
    this.es = null;
  }

  on(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (s: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(s: LiveStatus) {
    if (this.status === s) return;
    this.status = s;
    for (const l of this.statusListeners) l(s);
  }

  private emit(type: string, data: unknown) {
    for (const l of this.listeners) {
      try {
        l(type, data);
      } catch (e) {
        console.error('live event listener failed', e);
      }
    }
  }

  private connect() {
    if (this.stopped) return;
    this.setStatus('connecting');
    const es = this.factory(this.url);
    this.es = es;
    es.onopen = () => {
      this.retryMs = 2000;
      this.setStatus('live');
      this.emit('resync', null);
    };
    es.onerror = () => {
      if (es.readyState === CLOSED) {
        // EventSource gave up: retry ourselves, backing off to one minute.
        es.close();
        if (this.es === es) this.es = null;
        this.setStatus('down');
        if (!this.stopped) {
          this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
          this.retryMs = Math.min(this.retryMs * 2, 60000);
        }
      } else {
        this.setStatus('connecting');
      }
    };
    for (const type of LIVE_EVENT_TYPES) {
      es.addEventListener(type, (ev: MessageEvent) => this.emit(type, parseEventData(String(ev.data))));
    }
  }
}
