import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/client';
import { LiveEvents } from '../src/api/live';
import type { Approval } from '../src/api/types';
import { ApprovalCard } from '../src/components/ApprovalCard';
import { I18nContext, translate } from '../src/i18n';
import { SessionContext, type Session } from '../src/lib/context';
import { approval } from './fixtures';

let host: HTMLElement;
beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
});
afterEach(() => {
  render(null, host);
  host.remove();
});

function show(a: Approval, fetch = vi.fn(async () => new Response('{}'))) {
  const api = new ApiClient({ token: 't', fetch });
  const session: Session = {
    api,
    live: new LiveEvents('/e', () => ({ readyState: 0, onopen: null, onerror: null, addEventListener() {}, close() {} })),
    who: { user: 'bob', role: 'sre' },
    now: Date.parse('2026-11-25T03:10:00.000Z'),
    notify: () => {},
  };
  const onChanged = vi.fn();
  act(() => {
    render(
      <I18nContext.Provider value={{ lang: 'en', t: (k, v) => translate('en', k, v), setLang: () => {} }}>
        <SessionContext.Provider value={session}>
          <ApprovalCard approval={a} onChanged={onChanged} />
        </SessionContext.Provider>
      </I18nContext.Provider>,
      host,
    );
  });
  return { fetch, onChanged };
}

const button = () => host.querySelector<HTMLButtonElement>('[data-testid="approve-button"]')!;
const text = () => host.textContent ?? '';

describe('ApprovalCard', () => {
  it('offers APPROVE & EXECUTE and REJECT to a signer who may sign', () => {
    show(approval({ can_sign: true }));
    expect(button().disabled).toBe(false);
    expect(button().textContent).toBe('APPROVE & EXECUTE');
    expect(host.querySelector('[data-testid="reject-button"]')).not.toBeNull();
    expect(host.querySelector('[data-testid="why-not"]')).toBeNull();
  });

  it('disables the button and says why for someone who may not sign', () => {
    show(approval({ can_sign: false, why_not: 'you already signed' }));
    expect(button().disabled).toBe(true);
    const why = host.querySelector('[data-testid="why-not"]')!;
    expect(why.textContent).toBe('you already signed');
    expect(button().getAttribute('aria-describedby')).toBe(why.id);
    expect(host.querySelector('[data-testid="reject-button"]')).toBeNull();
  });

  it('blocks approval when the dry-run failed', () => {
    const a = approval();
    show(approval({ dry_run: { ...a.dry_run!, passed: false, checks: [{ name: 'pdb', passed: false, detail: 'PDB allows 0 disruptions' }] } }));
    expect(button().disabled).toBe(true);
    expect(text()).toContain('The dry-run failed');
    expect(text()).toContain('PDB allows 0 disruptions');
  });

  it('shows the monthly savings only when they are known', () => {
    show(approval({ savings_monthly_usd: 1234.5 }));
    expect(host.querySelector('[data-testid="savings"]')!.textContent).toBe('Monthly Savings: $1,234.50 if fixed');
    show(approval({ savings_monthly_usd: null }));
    expect(host.querySelector('[data-testid="savings"]')).toBeNull();
  });

  it('shows the factors with who signed and the empty places', () => {
    show(approval());
    expect(host.querySelector('[data-testid="signature-progress"]')!.textContent).toBe('1 of 2');
    const slots = Array.from(host.querySelectorAll('.slot')).map((s) => s.textContent);
    expect(slots[0]).toContain('alice');
    expect(slots[1]).toBe('awaiting signature');
  });

  it('shows the risk, and the base risk when trust lowered it, with the reason', () => {
    show(approval({ risk: { base: 'HIGH', effective: 'MEDIUM', reason: 'trust 10 for restart_pod:postgres-db' } }));
    expect(host.querySelector('[data-risk]')!.getAttribute('data-risk')).toBe('MEDIUM');
    expect(host.querySelector('[data-testid="risk-base"]')!.textContent).toBe('lowered from HIGH by trust');
    expect(text()).toContain('trust 10 for restart_pod:postgres-db');
    expect(host.querySelector('.approval-card')!.className).toContain('risk-warn');
  });

  it('says VOIDED with the reason, and offers no decision, once the state changed', () => {
    show(approval({ status: 'voided', reason: 'the pod was restarted between signatures', can_sign: false }));
    const ended = host.querySelector('[data-testid="approval-ended"]')!;
    expect(ended.textContent).toBe('VOIDED — the pod was restarted between signatures');
    expect(host.querySelector('[data-testid="approve-button"]')).toBeNull();
  });

  it('shows the execution result', () => {
    show(
      approval({
        status: 'succeeded',
        can_sign: false,
        result: { outcome: 'succeeded', detail: 'pod restarted', output: 'pod/postgres-db-0 deleted', started_at: null, finished_at: null },
      }),
    );
    expect(host.querySelector('[data-testid="approval-result"]')!.textContent).toContain('pod/postgres-db-0 deleted');
  });

  it('signs with the state fingerprint the signer was shown', async () => {
    const signed = approval({ status: 'succeeded', can_sign: false });
    const fetch = vi.fn(async () => new Response(JSON.stringify(signed)));
    const { onChanged } = show(approval({ dry_run: { ...approval().dry_run!, state_fingerprint: 'fp-shown' } }), fetch);
    act(() => button().click());
    const form = host.querySelector<HTMLFormElement>('[data-testid="approve-dialog"] form')!;
    await act(async () => {
      form.dispatchEvent(new Event('submit', { cancelable: true, bubbles: true }));
      await new Promise((r) => setTimeout(r, 0));
    });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/approvals/3/approve');
    expect(JSON.parse(String(init.body))).toEqual({ state_fingerprint: 'fp-shown', comment: '' });
    expect(onChanged).toHaveBeenCalledWith(signed);
  });

  it('explains a stale signature (409) instead of failing silently', async () => {
    const fetch = vi.fn(
      async () => new Response('{"error":{"code":"failed_precondition","message":"the state fingerprint shown is stale"}}', { status: 409 }),
    );
    show(approval(), fetch);
    act(() => button().click());
    const form = host.querySelector<HTMLFormElement>('[data-testid="approve-dialog"] form')!;
    await act(async () => {
      form.dispatchEvent(new Event('submit', { cancelable: true, bubbles: true }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(host.querySelector('[role="alert"]')!.textContent).toContain('the state fingerprint shown is stale');
  });
});
