import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveEvents, type EventSourceLike } from '../src/api/live';

class FakeEventSource implements EventSourceLike {
  static all: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  listeners = new Map<string, (ev: MessageEvent) => void>();
  closed = false;
  constructor(public url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void) {
    this.listeners.set(type, l);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  send(type: string, data: string) {
    this.listeners.get(type)?.(new MessageEvent(type, { data }));
  }
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.(new Event('error'));
  }
}

describe('LiveEvents', () => {
  beforeEach(() => {
    FakeEventSource.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('delivers named events with their JSON data and reports the connection status', () => {
    const live = new LiveEvents('/api/v1/events?access_token=t', (u) => new FakeEventSource(u));
    const seen: Array<[string, unknown]> = [];
    const statuses: string[] = [];
    live.on((type, data) => seen.push([type, data]));
    live.onStatus((s) => statuses.push(s));
    live.start();
    const es = FakeEventSource.all[0];
    expect(es.url).toBe('/api/v1/events?access_token=t');
    es.open();
    es.send('incident.opened', '{"incident_id":7,"version":1}');
    es.send('approval.voided', '{"approval_id":3,"incident_id":7,"status":"voided"}');
    expect(seen).toEqual([
      ['resync', null],
      ['incident.opened', { incident_id: 7, version: 1 }],
      ['approval.voided', { approval_id: 3, incident_id: 7, status: 'voided' }],
    ]);
    expect(statuses).toEqual(['live']);
  });

  it('asks listeners to resync at every open: after a gap, and for what came before the first', () => {
    const live = new LiveEvents('/e', (u) => new FakeEventSource(u));
    const seen: string[] = [];
    live.on((type) => seen.push(type));
    live.start();
    const es = FakeEventSource.all[0];
    es.open();
    expect(seen).toEqual(['resync']);
    es.fail(false); // EventSource reconnects by itself
    expect(live.status).toBe('connecting');
    es.open();
    expect(seen).toEqual(['resync', 'resync']);
  });

  it('reconnects with backoff when the browser gives up on the stream, then resyncs', () => {
    const live = new LiveEvents('/e', (u) => new FakeEventSource(u));
    const seen: string[] = [];
    live.on((type) => seen.push(type));
    live.start();
    FakeEventSource.all[0].open();
    FakeEventSource.all[0].fail(true);
    expect(live.status).toBe('down');
    expect(FakeEventSource.all).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    expect(FakeEventSource.all).toHaveLength(2);
    FakeEventSource.all[1].fail(true); // still down: the next wait doubles
    vi.advanceTimersByTime(3999);
    expect(FakeEventSource.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.all).toHaveLength(3);
    FakeEventSource.all[2].open();
    expect(live.status).toBe('live');
    expect(seen).toEqual(['resync', 'resync']);
  });

  it('stops for good: the stream is closed and no retry is scheduled', () => {
    const live = new LiveEvents('/e', (u) => new FakeEventSource(u));
    live.start();
    const es = FakeEventSource.all[0];
    live.stop();
    expect(es.closed).toBe(true);
    vi.advanceTimersByTime(120000);
    expect(FakeEventSource.all).toHaveLength(1);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const live = new LiveEvents('/e', (u) => new FakeEventSource(u));
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    live.on(() => {
      throw new Error('boom');
    });
    live.on((type) => seen.push(type));
    live.start();
    FakeEventSource.all[0].send('trust.changed', '{"pattern":"restart_pod:nginx-*"}');
    expect(seen).toEqual(['trust.changed']);
    errors.mockRestore();
  });
});
