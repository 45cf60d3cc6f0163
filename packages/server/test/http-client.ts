import { nextAddress } from './factories.js';

/** A JSON request to a real server from a fresh client address, so the per-IP rate limits never interfere. */
export async function api<T>(
  baseUrl: string,
  method: string,
  url: string,
  options: { token?: string | undefined; body?: object | undefined } = {},
): Promise<T> {
  const headers: Record<string, string> = { 'x-forwarded-for': nextAddress() };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers,
    body: options.body && JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
