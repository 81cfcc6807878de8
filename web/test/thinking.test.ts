import { describe, expect, it } from 'vitest';
import { initialThinking, thinkingReducer, type ThinkingEvent, type ThinkingState } from '../src/state/thinking';

const run = (events: ThinkingEvent[], from: ThinkingState = initialThinking) => events.reduce(thinkingReducer, from);

describe('thinkingReducer', () => {
  it('appends chunks as they arrive and ends at the proposal', () => {
    const s = run([{ type: 'open' }, { type: 'thinking', data: '1. Incident' }, { type: 'thinking', data: ': HighErrorRate\n' }, { type: 'proposal' }]);
    expect(s.text).toBe('1. Incident: HighErrorRate\n');
    expect(s.phase).toBe('done');
  });

  it('starts over after a reconnect, because the server replays the transcript', () => {
    const s = run([
      { type: 'open' },
      { type: 'thinking', data: 'part one ' },
      { type: 'connection-error', closed: false },
      { type: 'open' },
      { type: 'thinking', data: 'part one part two' },
    ]);
    expect(s.text).toBe('part one part two');
    expect(s.phase).toBe('streaming');
  });

  it('is reconnecting on a transient error and closed when the browser gives up', () => {
    expect(run([{ type: 'open' }, { type: 'connection-error', closed: false }]).phase).toBe('reconnecting');
    expect(run([{ type: 'open' }, { type: 'connection-error', closed: true }]).phase).toBe('closed');
  });

  it('waits with the server message when there is no analysis yet', () => {
    const s = run([{ type: 'open' }, { type: 'server-error', message: 'no analysis yet' }]);
    expect(s.phase).toBe('waiting');
    expect(s.message).toBe('no analysis yet');
  });

  it('keeps the text and the done state when the finished stream closes', () => {
    const done = run([{ type: 'open' }, { type: 'thinking', data: 'x' }, { type: 'proposal' }]);
    expect(run([{ type: 'connection-error', closed: true }, { type: 'thinking', data: 'late' }], done)).toEqual(done);
  });
});
