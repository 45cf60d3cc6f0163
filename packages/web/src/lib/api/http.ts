import type { ErrorBody } from '@chatalot/protocol';

/** A failed API call: the server's error envelope, or `network_error` (status 0) when no answer came. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From a `Retry-After` header (429s and lockouts), else null. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** How the HTTP client reaches the signed-in session; `session.svelte.ts` attaches itself. */
export interface SessionHooks {
  accessToken(): string | null;
  /** One shared refresh for every caller; false when the server refused it (the session has ended). */
  refresh(): Promise<boolean>;
  /** The refreshed token was refused too. */
  expire(): void;
}

export interface RequestOptions {
  /** Send no token and never refresh (sign-in, registration, public pages). */
  anonymous?: boolean;
  /** Use this token instead of the session's, without refreshing (revoking a session while signing out). */
  token?: string;
  signal?: AbortSignal;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

let hooks: SessionHooks | null = null;

export function attachSession(sessionHooks: SessionHooks): void {
  hooks = sessionHooks;
}

/** Paths may be given with or without the `/api` prefix. */
function url(path: string, query?: Query): string {
  const base = path.startsWith('/api/') ? path : `/api${path.startsWith('/') ? '' : '/'}${path}`;
  if (!query) return base;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${base}?${search}` : base;
}

function retryAfter(response: Response): number | null {
  const header = response.headers.get('retry-after');
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> | null = null;
  try {
    body = (await response.json()) as Partial<ErrorBody>;
  } catch {
    // Not every failure carries the JSON envelope (proxies, framework rejections).
  }
  const code = typeof body?.error?.code === 'string' ? body.error.code : 'http_error';
  const message = typeof body?.error?.message === 'string' ? body.error.message : `HTTP ${response.status}`;
  return new ApiError(response.status, code, message, retryAfter(response));
}

async function send(
  method: string,
  target: string,
  body: unknown,
  token: string | null,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(target, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(
      0,
      'network_error',
      'Could not reach the server. Check your connection and try again.',
    );
  }
}

async function parse<T>(response: Response): Promise<T> {
  if (!response.ok) throw await errorFrom(response);
  const text = await response.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(response.status, 'bad_response', 'The server sent an answer that could not be read.');
  }
}

async function request<T>(
  method: string,
  target: string,
  body: unknown,
  options: RequestOptions = {},
): Promise<T> {
  if (options.anonymous || options.token !== undefined) {
    return parse<T>(await send(method, target, body, options.token ?? null, options.signal));
  }
  const token = hooks?.accessToken() ?? null;
  const first = await send(method, target, body, token, options.signal);
  if (first.status !== 401 || token === null || hooks === null) return parse<T>(first);

  // A request that left before another caller's refresh finished only needs the new token.
  if (hooks.accessToken() === token) await hooks.refresh();
  const fresh = hooks.accessToken();
  if (fresh === null || fresh === token) return parse<T>(first);
  const retried = await send(method, target, body, fresh, options.signal);
  if (retried.status === 401) hooks.expire();
  return parse<T>(retried);
}

/** The one HTTP client: JSON in and out, the access token added, one refresh-and-retry on 401. */
export const http = {
  get: <T>(path: string, query?: Query, options?: RequestOptions) =>
    request<T>('GET', url(path, query), undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', url(path), body, options),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('PUT', url(path), body, options),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('PATCH', url(path), body, options),
  delete: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('DELETE', url(path), body, options),
};
