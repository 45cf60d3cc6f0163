import { ApiError } from '$lib/api/http';

/** The server's lower-case message as a sentence. */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** What to tell the user about a failed sign-in, registration or recovery (AUTH-04). */
export function describeAuthError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (error.status === 429) {
    return error.retryAfterSeconds === null
      ? 'Too many requests — try again in a moment.'
      : `Too many requests — try again in ${error.retryAfterSeconds}s.`;
  }
  if (error.status === 0) return error.message;
  if (error.status >= 500) return 'The server had a problem. Please try again in a moment.';
  return sentence(error.message);
}

/** The server asks for a second factor with a 400 whose message mentions 2FA (rest-api.md §1.6). */
export function needsSecondFactor(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && /2fa/i.test(error.message);
}
