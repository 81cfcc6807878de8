// "I'm on it": acknowledging tells everyone who is handling an incident. Viewers see who is on
// it but cannot acknowledge. Acknowledging again (by someone else) takes it over.
import { useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import type { Incident } from '../api/types';
import { useI18n } from '../i18n';
import { useSession } from '../lib/context';

export function AckControl(props: { incident: Incident; onAcked: (i: Incident) => void; compact?: boolean }) {
  const { t } = useI18n();
  const { api, who, notify } = useSession();
  const [busy, setBusy] = useState(false);
  const i = props.incident;
  const by = i.acknowledged_by ?? null;
  const mine = by === who.user;
  const canAck = who.role !== 'viewer' && i.status === 'firing' && !mine;

  const ack = () => {
    setBusy(true);
    api
      .acknowledge(i.id)
      .then(
        (inc) => props.onAcked(inc),
        (e: ApiError) => notify('error', t('ack.failed', { message: e.notFound ? t('error.notAvailable') : e.message })),
      )
      .finally(() => setBusy(false));
  };

  return (
    <span class="ack">
      {by && (
        <span class={`ack-by${mine ? ' mine' : ''}`} data-testid="ack-by">
          {mine ? t('ack.you') : t('ack.by', { user: by })}
        </span>
      )}
      {canAck && (
        <button
          type="button"
          class={props.compact ? 'small' : ''}
          disabled={busy}
          onClick={ack}
          aria-label={by ? t('ack.takeOverLabel', { id: i.id }) : t('ack.buttonLabel', { id: i.id })}
        >
          {by ? t('ack.takeOver') : t('ack.button')}
        </button>
      )}
    </span>
  );
}
