import { describe, expect, it } from 'vitest';
import type { Factor } from '../src/api/types';
import {
  actionTarget,
  factorProgress,
  factorSlots,
  formatConfidence,
  formatParams,
  formatRelative,
  formatUsd,
  riskChange,
  riskTone,
  severityTone,
  sortApprovals,
} from '../src/lib/format';

describe('risk and severity', () => {
  it('give each level its own tone', () => {
    expect(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'weird'].map(riskTone)).toEqual(['ok', 'warn', 'high', 'crit', 'muted']);
    expect(['critical', 'error', 'warning', 'info', 'none'].map(severityTone)).toEqual(['crit', 'high', 'warn', 'info', 'muted']);
  });
  it('say when trust lowered the risk', () => {
    expect(riskChange('HIGH', 'MEDIUM')).toEqual({ changed: true, text: 'HIGH → MEDIUM' });
    expect(riskChange('CRITICAL', 'CRITICAL')).toEqual({ changed: false, text: 'CRITICAL' });
  });
});

describe('money and numbers', () => {
  it('formats monthly savings in dollars, cents only when there are some', () => {
    expect(formatUsd(1234, 'en')).toBe('$1,234');
    expect(formatUsd(123.45, 'en')).toBe('$123.45');
    expect(formatUsd(0.5, 'en')).toBe('$0.50');
    expect(formatUsd(1234.5, 'zh-TW')).toContain('1,234.50');
  });
  it('formats confidence as a percentage', () => {
    expect(formatConfidence(0.8)).toBe('80%');
    expect(formatConfidence(null)).toBe('—');
  });
});

describe('times', () => {
  const now = Date.parse('2026-11-25T03:30:00.000Z');
  // The words come from the platform's ICU data (they differ between versions); what is ours is
  // choosing the unit and rounding.
  const rtf = (locale: string, n: number, unit: Intl.RelativeTimeFormatUnit) =>
    new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' }).format(n, unit);
  it('are relative to the given clock, in the chosen unit and language', () => {
    expect(formatRelative('2026-11-25T03:29:50.000Z', now, 'en')).toBe(rtf('en', 0, 'second'));
    expect(formatRelative('2026-11-25T03:27:00.000Z', now, 'en')).toBe(rtf('en', -3, 'minute'));
    expect(formatRelative('2026-11-25T01:30:00.000Z', now, 'en')).toBe(rtf('en', -2, 'hour'));
    expect(formatRelative('2026-11-25T04:30:00.000Z', now, 'en')).toBe(rtf('en', 1, 'hour'));
    expect(formatRelative('2026-11-22T03:30:00.000Z', now, 'en')).toBe(rtf('en', -3, 'day'));
    expect(formatRelative('2026-11-25T03:27:00.000Z', now, 'zh-TW')).toBe(rtf('zh-TW', -3, 'minute'));
    expect(rtf('en', 0, 'second')).toBe('now');
  });
  it('show a dash for a missing or malformed time', () => {
    expect(formatRelative(null, now, 'en')).toBe('—');
    expect(formatRelative('yesterday-ish', now, 'en')).toBe('—');
  });
});

describe('factors', () => {
  const high: Factor = {
    roles: ['admin', 'devops', 'sre'],
    count: 2,
    signed_by: [{ user: 'alice', role: 'devops', at: '2026-11-25T03:05:00.000Z' }],
    met: false,
  };
  const cto: Factor = { roles: ['cto'], count: 1, signed_by: [], met: false };
  const ciso: Factor = { roles: ['ciso'], count: 1, signed_by: [{ user: 'dave', role: 'ciso', at: null }], met: true };

  it('count signatures against what every factor needs', () => {
    expect(factorProgress([high])).toEqual({ signed: 1, needed: 2, met: false });
    expect(factorProgress([cto, ciso])).toEqual({ signed: 1, needed: 2, met: false });
    expect(factorProgress([])).toEqual({ signed: 0, needed: 0, met: true });
  });
  it('show the signers first, then an empty place for each missing signature', () => {
    expect(factorSlots(high)).toEqual([{ user: 'alice', role: 'devops', at: '2026-11-25T03:05:00.000Z' }, null]);
    expect(factorSlots(cto)).toEqual([null]);
  });
});

describe('actions and approvals', () => {
  it('name the target with kind and namespace, and list the other parameters', () => {
    expect(actionTarget({ target_kind: 'pod', namespace: 'production', target: 'postgres-db-0' })).toBe('pod production/postgres-db-0');
    expect(actionTarget({ target_kind: '', namespace: '', target: 'worker-1' })).toBe('worker-1');
    expect(formatParams({ namespace: 'production', replicas: 3, check: 'disk' }, ['namespace'])).toBe('replicas=3 check=disk');
  });
  it('sort pending first (oldest first), then the rest newest first', () => {
    const list = [
      { id: 1, status: 'succeeded' },
      { id: 2, status: 'pending' },
      { id: 3, status: 'voided' },
      { id: 4, status: 'pending' },
    ];
    expect(sortApprovals(list).map((a) => a.id)).toEqual([2, 4, 3, 1]);
  });
});
