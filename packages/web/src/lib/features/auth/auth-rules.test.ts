import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api/http';
import { normalizeRecoveryCode, usernameProblem } from './account-rules';
import { describeAuthError, needsSecondFactor } from './auth-errors';
import { newPasswordProblem, passwordRules } from './password-rules';
import { loginUrl, safeRedirect } from './redirect';

describe('password rules', () => {
  it('marks each rule as it is met', () => {
    const met = (password: string) =>
      passwordRules(password)
        .filter((rule) => rule.met)
        .map((rule) => rule.id);
    expect(met('')).toEqual([]);
    expect(met('abc')).toEqual(['lower']);
    expect(met('Abcdefg1')).toEqual(['length', 'upper', 'lower', 'digit']);
    expect(met('Abcdefg1!')).toEqual(['length', 'upper', 'lower', 'digit', 'special']);
    expect(met('ééééééé')).toContain('length');
  });

  it('says what is wrong with a new password, in the order the form checks', () => {
    expect(newPasswordProblem('short', 'short')).toBe('Password does not meet all requirements');
    expect(newPasswordProblem('Abcdefg1!', 'Abcdefg1?')).toBe('Passwords do not match');
    expect(newPasswordProblem(`Aa1!${'x'.repeat(130)}`, '')).toBe('Password must be at most 128 bytes');
    expect(newPasswordProblem('Abcdefg1!', 'Abcdefg1!')).toBeNull();
  });
});

describe('account rules', () => {
  it('checks usernames like the server', () => {
    expect(usernameProblem('ab')).toMatch(/3–32/);
    expect(usernameProblem('_ada')).toMatch(/start with a letter/);
    expect(usernameProblem('ada.')).toMatch(/not end with/);
    expect(usernameProblem('a..da')).toMatch(/not end with/);
    expect(usernameProblem('ada_lovelace-1.x')).toBeNull();
  });

  it('normalises recovery codes', () => {
    expect(normalizeRecoveryCode(' abcd efgh  jkmn-pqrs ')).toBe('ABCD-EFGH-JKMN-PQRS');
    expect(normalizeRecoveryCode('x'.repeat(50))).toHaveLength(40);
  });
});

describe('redirects', () => {
  it('only follows paths on this site', () => {
    expect(safeRedirect('/c/1/2')).toBe('/c/1/2');
    expect(safeRedirect(null)).toBe('/channels');
    expect(safeRedirect('https://evil.example')).toBe('/channels');
    expect(safeRedirect('//evil.example')).toBe('/channels');
    expect(safeRedirect('/\\evil.example')).toBe('/channels');
    expect(loginUrl('/dm/5')).toBe('/login?redirect=%2Fdm%2F5');
    expect(loginUrl('/')).toBe('/login');
  });
});

describe('auth errors', () => {
  it('words rate limits, network failures and server messages for people', () => {
    expect(describeAuthError(new ApiError(429, 'rate_limited', 'too many', 5))).toBe(
      'Too many requests — try again in 5s.',
    );
    expect(describeAuthError(new ApiError(401, 'unauthorized', 'invalid username or password'))).toBe(
      'Invalid username or password.',
    );
    expect(describeAuthError(new ApiError(500, 'internal_error', 'an internal error occurred'))).toMatch(
      /server had a problem/,
    );
    expect(describeAuthError(new TypeError('x'))).toMatch(/Something went wrong/);
    expect(needsSecondFactor(new ApiError(400, 'validation_error', '2FA code required'))).toBe(true);
    expect(needsSecondFactor(new ApiError(401, 'unauthorized', 'invalid 2FA code'))).toBe(false);
  });
});
