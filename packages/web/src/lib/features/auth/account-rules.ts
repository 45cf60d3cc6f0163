/** The server's username, display-name and email rules (AUTH-09), so the form can say what is wrong first. */

export const USERNAME_HINT = '3–32 letters, digits, _ - or .';
export const DISPLAY_NAME_MAX = 64;

export function usernameProblem(username: string): string | null {
  if (username.length < 3 || username.length > 32) return 'Username must be 3–32 characters';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(username)) {
    return 'Username may only contain letters, digits, _, - and ., and must start with a letter or digit';
  }
  if (username.endsWith('.') || username.includes('..')) {
    return 'Username must not end with . or contain ..';
  }
  return null;
}

export function displayNameProblem(displayName: string): string | null {
  return new TextEncoder().encode(displayName.trim()).length > DISPLAY_NAME_MAX
    ? `Display name must be at most ${DISPLAY_NAME_MAX} characters`
    : null;
}

export function emailProblem(email: string): string | null {
  const at = email.indexOf('@');
  const valid = at > 0 && at < email.length - 1 && email.slice(at + 1).includes('.') && !/\s/.test(email);
  return valid ? null : 'Enter a valid email address';
}

/** AUTH-11: upper-cased, spaces turned into dashes, at most 40 characters. */
export function normalizeRecoveryCode(code: string): string {
  return code.trim().toUpperCase().replace(/\s+/g, '-').slice(0, 40);
}
