import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../src/i18n/en.json';
import zhTW from '../src/i18n/zh-TW.json';
import { initialLang, translate } from '../src/i18n';

const placeholders = (s: string) => Array.from(s.matchAll(/\{(\w+)\}/g), (m) => m[1]).sort();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('message files', () => {
  it('en.json and zh-TW.json have exactly the same keys', () => {
    const a = Object.keys(en).sort();
    const b = Object.keys(zhTW).sort();
    expect(a.filter((k) => !b.includes(k))).toEqual([]);
    expect(b.filter((k) => !a.includes(k))).toEqual([]);
  });

  it('every message is non-empty and uses the same placeholders in both languages', () => {
    for (const [k, v] of Object.entries(en)) {
      const zh = (zhTW as Record<string, string>)[k];
      expect(v.trim(), k).not.toBe('');
      expect(zh.trim(), k).not.toBe('');
      expect(placeholders(zh), k).toEqual(placeholders(v));
    }
  });

  it('every literal key the code asks for exists', () => {
    const missing: string[] = [];
    for (const file of sources(join(__dirname, '../src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) if (!(m[1] in en)) missing.push(`${file}: ${m[1]}`);
      for (const m of text.matchAll(/\bkey: '([a-zA-Z0-9_.-]+)'/g)) if (!(m[1] in en)) missing.push(`${file}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  it('covers every value the API can send for enumerations shown through keys', () => {
    const need = [
      ...['admin', 'devops', 'sre', 'cto', 'ciso', 'viewer'].map((r) => `role.${r}`),
      ...['pending', 'approved', 'executing', 'succeeded', 'failed', 'rejected', 'voided', 'expired'].map((s) => `approval.status.${s}`),
      ...['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].map((r) => `risk.${r}`),
      ...['critical', 'error', 'warning', 'info', 'none'].map((s) => `severity.${s}`),
      ...['ingress', 'frontend', 'service', 'database', 'cache', 'queue', 'external', 'unknown'].map((k) => `kind.${k}`),
      ...['cause', 'symptom', 'self'].map((r) => `rc.role.${r}`),
      ...['connecting', 'live', 'down'].flatMap((s) => [`live.${s}`, `live.${s}.hint`]),
    ];
    expect(need.filter((k) => !(k in en))).toEqual([]);
  });
});

describe('translate', () => {
  it('fills placeholders and falls back to English, then to the key', () => {
    expect(translate('en', 'approval.savingsText', { amount: '$120' })).toBe('Monthly Savings: $120 if fixed');
    expect(translate('zh-TW', 'ack.by', { user: 'alice' })).toBe('alice 正在處理');
    expect(translate('zh-TW', 'no.such.key')).toBe('no.such.key');
    expect(translate('en', 'ack.by')).toBe('{user} is on it');
  });

  it('starts in the remembered language, else follows the browser', () => {
    expect(initialLang('zh-TW', 'en-US')).toBe('zh-TW');
    expect(initialLang(null, 'zh-Hant-TW')).toBe('zh-TW');
    expect(initialLang(null, 'de-DE')).toBe('en');
    expect(initialLang('klingon', undefined)).toBe('en');
  });
});
