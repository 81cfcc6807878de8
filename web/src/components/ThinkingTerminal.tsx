// The ThinkingTerminal: the brain's reasoning for one incident, streamed live from
// GET /api/v1/incidents/{id}/thinking. Chunks are appended as they come; the view follows the
// end unless the reader scrolled up (then it pauses and offers a jump back). A late viewer gets
// the transcript replayed by the server; "Replay" re-types a finished transcript at reading pace.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { EventSourceFactory, EventSourceLike } from '../api/live';
import type { Analysis } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../lib/context';
import { thinkingReducer, initialThinking, type ThinkingState } from '../state/thinking';

const FOLLOW_SLACK_PX = 24;

export function ThinkingTerminal(props: {
  incidentId: number;
  restartKey?: number; // change it to reconnect (e.g. a new analysis run started)
  onProposal?: (a: Analysis) => void;
  eventSourceFactory?: EventSourceFactory;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [state, setState] = useState<ThinkingState>(initialThinking);
  const [follow, setFollow] = useState(true);
  const [unseen, setUnseen] = useState(false);
  const [shown, setShown] = useState<number | null>(null); // replay cursor; null = everything
  const box = useRef<HTMLDivElement>(null);
  const onProposal = useRef(props.onProposal);
  onProposal.current = props.onProposal;

  useEffect(() => {
    setState(initialThinking);
    setShown(null);
    const factory: EventSourceFactory =
      props.eventSourceFactory ?? ((u) => new EventSource(u) as unknown as EventSourceLike);
    const es = factory(api.sseUrl(`/api/v1/incidents/${props.incidentId}/thinking`));
    const dispatch = (ev: Parameters<typeof thinkingReducer>[1]) => setState((s) => thinkingReducer(s, ev));
    es.onopen = () => dispatch({ type: 'open' });
    es.addEventListener('thinking', (ev) => dispatch({ type: 'thinking', data: String(ev.data) }));
    es.addEventListener('proposal', (ev) => {
      es.close(); // the stream ends here; do not let EventSource reconnect and replay it again
      dispatch({ type: 'proposal' });
      try {
        onProposal.current?.(JSON.parse(String(ev.data)) as Analysis);
      } catch {
        // a malformed proposal is the analysis endpoint's problem; the text stays
      }
    });
    es.addEventListener('error', (ev) => {
      const data = (ev as MessageEvent).data;
      if (typeof data === 'string' && data) {
        // An "error" event sent by the server: the analysis failed or has not run yet.
        es.close();
        let message = data;
        try {
          message = (JSON.parse(data) as { message?: string }).message ?? data;
        } catch {
          // plain text
        }
        dispatch({ type: 'server-error', message });
      } else {
        dispatch({ type: 'connection-error', closed: es.readyState === 2 });
      }
    });
    return () => es.close();
  }, [api, props.incidentId, props.restartKey]);

  // Replay: reveal the finished transcript a few characters per frame.
  useEffect(() => {
    if (shown === null) return;
    if (shown >= state.text.length) {
      setShown(null);
      return;
    }
    const step = Math.max(8, Math.ceil(state.text.length / 180)); // about 3 s whatever the length
    const timer = setTimeout(() => setShown((s) => (s === null ? null : s + step)), 16);
    return () => clearTimeout(timer);
  }, [shown, state.text]);

  const visible = shown === null ? state.text : state.text.slice(0, shown);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (follow) {
      el.scrollTop = el.scrollHeight;
      setUnseen(false);
    } else if (visible.length > 0) {
      setUnseen(true);
    }
  }, [visible]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_SLACK_PX;
    setFollow(atBottom);
    if (atBottom) setUnseen(false);
  };

  const jumpToLive = () => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
    setFollow(true);
    setUnseen(false);
  };

  const statusText =
    state.phase === 'streaming'
      ? t('thinking.streaming')
      : state.phase === 'done'
        ? t('thinking.done')
        : state.phase === 'waiting'
          ? t('thinking.waiting', { message: state.message })
          : state.phase === 'reconnecting'
            ? t('thinking.reconnecting')
            : state.phase === 'closed'
              ? t('thinking.closed')
              : t('thinking.connecting');

  return (
    <section class="terminal" aria-labelledby={`thinking-title-${props.incidentId}`} data-testid="thinking-terminal">
      <div class="terminal-head">
        <h2 id={`thinking-title-${props.incidentId}`}>{t('thinking.title')}</h2>
        <span class={`terminal-status phase-${state.phase}`} role="status" data-testid="thinking-status">
          {state.phase === 'streaming' && <span class="cursor-dot" aria-hidden="true" />}
          {statusText}
        </span>
        {state.phase === 'done' && state.text && (
          <button
            type="button"
            class="ghost small"
            onClick={() => {
              setFollow(true);
              setShown(0);
            }}
            aria-label={t('thinking.replayLabel')}
          >
            ▶ {t('thinking.replay')}
          </button>
        )}
      </div>
      <div
        class="terminal-body"
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-live={follow ? 'polite' : 'off'}
        aria-label={t('thinking.label')}
        tabIndex={0}
        data-testid="thinking-text"
      >
        {visible ? <pre>{visible}</pre> : <p class="terminal-placeholder">{t('thinking.empty')}</p>}
        {(state.phase === 'streaming' || shown !== null) && <span class="caret" aria-hidden="true" />}
      </div>
      {!follow && unseen && (
        <button type="button" class="jump" onClick={jumpToLive}>
          ↓ {t('thinking.jump')}
        </button>
      )}
      {!follow && !unseen && state.phase === 'streaming' && (
        <p class="terminal-paused muted small">{t('thinking.paused')}</p>
      )}
    </section>
  );
}
