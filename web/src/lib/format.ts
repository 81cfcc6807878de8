// Formatting shared by the pages: risk and severity tones, money, times, factors and actions.
// Pure functions of their inputs (the clock is a parameter), so they are unit-tested.
import type { ApprovalAction, ApprovalStatus, Factor, ProposedAction, RiskLevel } from '../api/types';

export type Tone = 'ok' | 'info' | 'warn' | 'high' | 'crit' | 'muted';

export function riskTone(level: RiskLevel | string | null | undefined): Tone {
  switch (level) {
    case 'LOW':
      return 'ok';
    case 'MEDIUM':
      return 'warn';
    case 'HIGH':
      return 'high';
    case 'CRITICAL':
      return 'crit';
    default:
      return 'muted';
  }
}

export function severityTone(sev: string | null | undefined): Tone {
  switch (sev) {
    case 'critical':
      return 'crit';
    case 'error':
      return 'high';
    case 'warning':
      return 'warn';
    case 'info':
      return 'info';
    default:
      return 'muted';
  }
}

export function approvalTone(status: ApprovalStatus | string): Tone {
  switch (status) {
    case 'pending':
    case 'approved':
    case 'executing':
      return 'info';
    case 'succeeded':
      return 'ok';
    case 'failed':
    case 'voided':
      return 'crit';
    case 'rejected':
    case 'expired':
      return 'warn';
    default:
      return 'muted';
  }
}

// A risk that trust lowered (base HIGH, effective MEDIUM) is shown as "HIGH → MEDIUM".
export function riskChange(base: RiskLevel, effective: RiskLevel): { changed: boolean; text: string } {
  if (!base || base === effective) return { changed: false, text: effective };
  return { changed: true, text: `${base} → ${effective}` };
}

export function formatUsd(amount: number, locale: string): string {
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: amount % 1 === 0 ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(amount);
}

export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export function formatAbsolute(iso: string | null | undefined, locale: string): string {
  const ms = parseTime(iso);
  if (ms === null) return '—';
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(ms);
}

// "3 min ago", "in 2 h" ("3 分鐘前" in zh-TW); seconds under 45 read as "now".
export function formatRelative(iso: string | null | undefined, now: number, locale: string): string {
  const ms = parseTime(iso);
  if (ms === null) return '—';
  const diff = Math.round((ms - now) / 1000);
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}

export function formatConfidence(c: number | null | undefined): string {
  if (c === null || c === undefined || Number.isNaN(c)) return '—';
  return `${Math.round(c * 100)}%`;
}

// How far the factors are: signatures counted per factor, capped at what each needs.
export function factorProgress(factors: Factor[]): { signed: number; needed: number; met: boolean } {
  let signed = 0;
  let needed = 0;
  for (const f of factors) {
    needed += f.count;
    signed += Math.min(f.signed_by.length, f.count);
  }
  return { signed, needed, met: factors.every((f) => f.met) };
}

// "2 × admin / devops / sre" — what a factor asks for; `any` is the word for "any one of".
export function factorRequirement(f: Factor): string {
  return `${f.count} × ${f.roles.join(' / ')}`;
}

// Slots for a factor: the signers so far, then empty places up to the count.
export function factorSlots(f: Factor): Array<{ user: string; role: string; at: string | null } | null> {
  const slots: Array<{ user: string; role: string; at: string | null } | null> = f.signed_by
    .slice(0, Math.max(f.count, f.signed_by.length))
    .map((s) => ({ user: s.user, role: String(s.role), at: s.at }));
  while (slots.length < f.count) slots.push(null);
  return slots;
}

export function actionTarget(a: Pick<ApprovalAction, 'target_kind' | 'target' | 'namespace'>): string {
  const ns = a.namespace ? `${a.namespace}/` : '';
  const kind = a.target_kind ? `${a.target_kind} ` : '';
  return `${kind}${ns}${a.target}`;
}

export function proposedActionLabel(a: ProposedAction): string {
  const ns = typeof a.parameters?.namespace === 'string' ? `${a.parameters.namespace}/` : '';
  return `${a.type} ${a.target_kind ? a.target_kind + ' ' : ''}${ns}${a.target}`;
}

// "key=value" pairs; `omit` drops keys already shown elsewhere (the namespace in the target).
export function formatParams(params: Record<string, unknown> | null | undefined, omit: string[] = []): string {
  if (!params) return '';
  return Object.entries(params)
    .filter(([k]) => !omit.includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export function shortHash(h: string | null | undefined, n = 12): string {
  if (!h) return '—';
  return h.length > n ? `${h.slice(0, n)}…` : h;
}

export const TERMINAL_STATUSES: ApprovalStatus[] = ['succeeded', 'failed', 'rejected', 'voided', 'expired'];

// Pending first (the oldest pending at the top: it expires first), then the rest newest first.
export function sortApprovals<T extends { id: number; status: string }>(list: T[]): T[] {
  return list.slice().sort((a, b) => {
    const ap = a.status === 'pending' ? 0 : 1;
    const bp = b.status === 'pending' ? 0 : 1;
    if (ap !== bp) return ap - bp;
    return ap === 0 ? a.id - b.id : b.id - a.id;
  });
}
