import { useI18n } from '../i18n';

// Shown where the server answers 404 for a whole API (an older server build).
export function Unavailable(props: { what: string }) {
  const { t } = useI18n();
  return (
    <div class="empty" data-testid="api-unavailable">
      <p class="empty-title">{t('error.apiUnavailable', { what: props.what })}</p>
      <p class="muted">{t('error.apiUnavailableHint')}</p>
    </div>
  );
}
