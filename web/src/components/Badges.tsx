import { useI18n } from '../i18n';
import { approvalTone, riskTone, severityTone, formatAbsolute, formatRelative } from '../lib/format';
import { useSession } from '../lib/context';

export function SeverityBadge(props: { severity: string }) {
  const { t } = useI18n();
  return <span class={`badge tone-${severityTone(props.severity)}`}>{t(`severity.${props.severity || 'none'}`)}</span>;
}

export function RiskBadge(props: { level: string; large?: boolean }) {
  const { t } = useI18n();
  return (
    <span class={`badge risk tone-${riskTone(props.level)}${props.large ? ' large' : ''}`} data-risk={props.level}>
      {t(`risk.${props.level || 'unknown'}`)}
    </span>
  );
}

export function StatusPill(props: { status: string }) {
  const { t } = useI18n();
  return (
    <span class={`pill tone-${approvalTone(props.status)}`} data-status={props.status}>
      {t(`approval.status.${props.status}`)}
    </span>
  );
}

export function IncidentStatusPill(props: { status: string }) {
  const { t } = useI18n();
  return <span class={`pill ${props.status === 'firing' ? 'tone-crit' : 'tone-ok'}`}>{t(`incident.status.${props.status}`)}</span>;
}

// A relative time ("3 min ago") with the absolute time on hover and for screen readers.
export function Time(props: { at: string | null | undefined }) {
  const { lang } = useI18n();
  const { now } = useSession();
  if (!props.at) return <span class="muted">—</span>;
  const abs = formatAbsolute(props.at, lang);
  return (
    <time dateTime={props.at} title={abs}>
      {formatRelative(props.at, now, lang)}
    </time>
  );
}

export function ErrorBox(props: { error: string }) {
  return (
    <div class="error-box" role="alert">
      {props.error}
    </div>
  );
}
