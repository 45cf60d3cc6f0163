/** The `?redirect=` target when it is a path on this site (AUTH-02), else `fallback`. */
export function safeRedirect(target: string | null, fallback = '/channels'): string {
  if (target === null || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) {
    return fallback;
  }
  return target;
}

/** `/login?redirect=<path>` for sending a visitor back to where they were after signing in. */
export function loginUrl(returnTo: string | null): string {
  return returnTo && returnTo !== '/' ? `/login?redirect=${encodeURIComponent(returnTo)}` : '/login';
}
