/** The server's password rules (rest-api.md §2), checked live as the user types (AUTH-08). */
export interface PasswordRule {
  id: 'length' | 'upper' | 'lower' | 'digit' | 'special';
  label: string;
  met: boolean;
}

const MAX_BYTES = 128;

const byteLength = (text: string) => new TextEncoder().encode(text).length;

export function passwordRules(password: string): PasswordRule[] {
  return [
    { id: 'length', label: 'At least 8 characters', met: byteLength(password) >= 8 },
    { id: 'upper', label: 'One uppercase letter', met: /[A-Z]/.test(password) },
    { id: 'lower', label: 'One lowercase letter', met: /[a-z]/.test(password) },
    { id: 'digit', label: 'One number', met: /[0-9]/.test(password) },
    { id: 'special', label: 'One special character', met: /[^A-Za-z0-9]/.test(password) },
  ];
}

/** What is wrong with a new password and its confirmation, as the form says it; null when both are fine. */
export function newPasswordProblem(password: string, confirmation: string): string | null {
  if (passwordRules(password).some((rule) => !rule.met)) return 'Password does not meet all requirements';
  if (byteLength(password) > MAX_BYTES) return `Password must be at most ${MAX_BYTES} bytes`;
  if (password !== confirmation) return 'Passwords do not match';
  return null;
}
