// The API client: one fetch wrapper that adds the bearer token and turns every failure into an
// ApiError with the server's error code and message (or a clear local one for network failures
// and non-JSON answers). Pages never look at HTTP status codes themselves.
import type {
  Approval,
  ApprovalList,
  Analysis,
  AuditList,
  AuditVerify,
  Incident,
  IncidentDetail,
  IncidentList,
  Proposal,
  Topology,
  BlastRadius,
  RootCause,
  TrustPattern,
  WhoAmI,
} from './types';

export class ApiError extends Error {
  readonly status: number; // HTTP status; 0 when the server could not be reached
  readonly code: string; // the server's snake_case code, or network / bad_response

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }

  get unauthenticated(): boolean {
    return this.status === 401;
  }
  get notFound(): boolean {
    return this.status === 404;
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  token: string;
  base?: string; // '' = same origin
  fetch?: FetchLike;
  // Called once for each 401 answer: the token was revoked or the server restarted with new
  // demo tokens. The app signs out and says why.
  onUnauthenticated?: (err: ApiError) => void;
}

function query(params: Record<string, string | number | null | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

// Reads an error answer: the contract's {"error": {"code", "message"}}, else something sensible.
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // body unreadable: fall through with the status alone
  }
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (body && body.error && typeof body.error.code === 'string') {
      const message = typeof body.error.message === 'string' && body.error.message ? body.error.message : body.error.code;
      return new ApiError(res.status, body.error.code, message);
    }
  } catch {
    // not JSON (a proxy's HTML page, an empty body)
  }
  const statusText = res.statusText ? ` ${res.statusText}` : '';
  return new ApiError(res.status, `http_${res.status}`, `HTTP ${res.status}${statusText}`);
}

export class ApiClient {
  readonly token: string;
  private readonly base: string;
  private readonly fetchFn: FetchLike;
  private readonly onUnauthenticated?: (err: ApiError) => void;

  constructor(opts: ClientOptions) {
    this.token = opts.token;
    this.base = opts.base ?? '';
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.onUnauthenticated = opts.onUnauthenticated;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${this.token}` };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, init);
    } catch (e) {
      const why = e instanceof Error && e.message ? `: ${e.message}` : '';
      throw new ApiError(0, 'network', `The server could not be reached${why}`);
    }
    if (!res.ok) {
      const err = await errorFromResponse(res);
      if (err.unauthenticated && this.onUnauthenticated) this.onUnauthenticated(err);
      throw err;
    }
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, 'bad_response', 'The server answered with something that is not JSON');
    }
  }

  // The URL of a server-sent-events route: EventSource cannot set headers, so the token rides
  // in the query (the only routes that accept it).
  sseUrl(path: string): string {
    const sep = path.includes('?') ? '&' : '?';
    return `${this.base}${path}${sep}access_token=${encodeURIComponent(this.token)}`;
  }

  whoami() {
    return this.request<WhoAmI>('GET', '/api/v1/whoami');
  }
  incidents(f: { status?: string; service?: string; limit?: number; before?: number | null } = {}) {
    return this.request<IncidentList>('GET', `/api/v1/incidents${query({ ...f, limit: f.limit ?? 200 })}`);
  }
  incident(id: number) {
    return this.request<IncidentDetail>('GET', `/api/v1/incidents/${id}`);
  }
  acknowledge(id: number) {
    return this.request<Incident>('POST', `/api/v1/incidents/${id}/acknowledge`, {});
  }
  analysis(id: number) {
    return this.request<Analysis>('GET', `/api/v1/incidents/${id}/analysis`);
  }
  proposals(incidentId: number) {
    return this.request<{ proposals: Proposal[] }>('GET', `/api/v1/incidents/${incidentId}/proposals`);
  }
  approvals(f: { status?: string; limit?: number; before?: number | null } = {}) {
    return this.request<ApprovalList>('GET', `/api/v1/approvals${query({ ...f, limit: f.limit ?? 100 })}`);
  }
  approval(id: number) {
    return this.request<Approval>('GET', `/api/v1/approvals/${id}`);
  }
  approve(id: number, stateFingerprint: string, comment = '') {
    return this.request<Approval>('POST', `/api/v1/approvals/${id}/approve`, {
      state_fingerprint: stateFingerprint,
      comment,
    });
  }
  reject(id: number, comment: string) {
    return this.request<Approval>('POST', `/api/v1/approvals/${id}/reject`, { comment });
  }
  trust() {
    return this.request<{ patterns: TrustPattern[] }>('GET', '/api/v1/trust');
  }
  audit(f: { limit?: number; before?: number | null; kind?: string } = {}) {
    return this.request<AuditList>('GET', `/api/v1/audit${query({ ...f, limit: f.limit ?? 100 })}`);
  }
  auditVerify() {
    return this.request<AuditVerify>('GET', '/api/v1/audit/verify');
  }
  topology() {
    return this.request<Topology>('GET', '/api/v1/topology');
  }
  blastRadius(service: string, depth = 3) {
    return this.request<BlastRadius>('GET', `/api/v1/topology/${encodeURIComponent(service)}/blast-radius?depth=${depth}`);
  }
  rootCause(service: string, depth = 3) {
    return this.request<RootCause>('GET', `/api/v1/topology/${encodeURIComponent(service)}/root-cause?depth=${depth}`);
  }
}
