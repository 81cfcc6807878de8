import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../src/api/client';

function respond(status: number, body: string, statusText = ''): Response {
  return new Response(body, { status, statusText });
}

describe('ApiClient', () => {
  it('sends the bearer token and parses a JSON answer', async () => {
    const fetch = vi.fn(async () => respond(200, '{"user":"alice","role":"devops"}'));
    const api = new ApiClient({ token: 'awi_abc', fetch });
    await expect(api.whoami()).resolves.toEqual({ user: 'alice', role: 'devops' });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/whoami');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer awi_abc');
  });

  it('turns the contract error body into an ApiError with status, code and message', async () => {
    const api = new ApiClient({
      token: 't',
      fetch: async () => respond(409, '{"error":{"code":"failed_precondition","message":"you already signed"}}'),
    });
    const err = (await api.approve(3, 'fp').catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.code).toBe('failed_precondition');
    expect(err.message).toBe('you already signed');
  });

  it('names the HTTP status when the error body is not JSON (a proxy page)', async () => {
    const api = new ApiClient({ token: 't', fetch: async () => respond(502, '<html>Bad gateway</html>', 'Bad Gateway') });
    const err = (await api.incidents().catch((e) => e)) as ApiError;
    expect(err.code).toBe('http_502');
    expect(err.message).toBe('HTTP 502 Bad Gateway');
  });

  it('reports an unreachable server as a network error, not a crash', async () => {
    const api = new ApiClient({
      token: 't',
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const err = (await api.topology().catch((e) => e)) as ApiError;
    expect(err.status).toBe(0);
    expect(err.code).toBe('network');
    expect(err.message).toContain('could not be reached');
  });

  it('calls onUnauthenticated on a 401 so the app can sign out, and still rejects', async () => {
    const onUnauthenticated = vi.fn();
    const api = new ApiClient({
      token: 't',
      onUnauthenticated,
      fetch: async () => respond(401, '{"error":{"code":"unauthenticated","message":"unknown token"}}'),
    });
    await expect(api.incidents()).rejects.toMatchObject({ status: 401, unauthenticated: true });
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
  });

  it('rejects a 200 answer that is not JSON', async () => {
    const api = new ApiClient({ token: 't', fetch: async () => respond(200, 'not json') });
    await expect(api.trust()).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('posts JSON bodies and encodes query parameters, skipping empty ones', async () => {
    const fetch = vi.fn(async () => respond(200, '{"incidents":[],"next_before":null}'));
    const api = new ApiClient({ token: 't', fetch });
    await api.incidents({ status: 'firing', service: 'a b&c', before: null });
    expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe('/api/v1/incidents?status=firing&service=a%20b%26c&limit=200');
    fetch.mockImplementation(async () => respond(200, '{}'));
    await api.reject(4, 'not now');
    const init = (fetch.mock.calls[1] as unknown as [string, RequestInit])[1];
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual({ comment: 'not now' });
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('puts the token in the query only for event-stream URLs, encoded', () => {
    const api = new ApiClient({ token: 'awi_a+b' });
    expect(api.sseUrl('/api/v1/events')).toBe('/api/v1/events?access_token=awi_a%2Bb');
    expect(api.sseUrl('/x?y=1')).toBe('/x?y=1&access_token=awi_a%2Bb');
  });
});
