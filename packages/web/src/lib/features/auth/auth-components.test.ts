import { fireEvent, screen } from '@testing-library/dom';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from '$lib/ui/test/render';
import LoginForm from './LoginForm.svelte';
import PasswordField from './PasswordField.svelte';
import NewPasswordHarness from './test/NewPasswordHarness.svelte';

afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

async function type(element: HTMLElement, value: string) {
  await fireEvent.input(element, { target: { value } });
  flushSync();
}

function ruleStates(): string[] {
  return screen.getAllByRole('listitem').map((item) => item.textContent?.replace(/\s+/g, ' ').trim() ?? '');
}

describe('the password checklist (AUTH-08)', () => {
  it('appears once typing starts and ticks each rule off as it is met', async () => {
    render(NewPasswordHarness);
    const list = screen.getByRole('list', { hidden: true });
    expect(list.hidden).toBe(true);
    await type(screen.getByLabelText('Password'), 'abcdefgh');
    expect(list.hidden).toBe(false);
    expect(ruleStates()).toEqual([
      'At least 8 characters (met)',
      'One uppercase letter (not met)',
      'One lowercase letter (met)',
      'One number (not met)',
      'One special character (not met)',
    ]);
    await type(screen.getByLabelText('Password'), 'Abcdefg1!');
    expect(ruleStates().every((state) => state.endsWith('(met)'))).toBe(true);
    expect(screen.getByLabelText('Password').getAttribute('aria-describedby')).toBe(list.id);
  });

  it('says whether the confirmation matches', async () => {
    render(NewPasswordHarness);
    await type(screen.getByLabelText('Password'), 'Abcdefg1!');
    await type(screen.getByLabelText('Confirm password'), 'Abcdefg1?');
    expect(screen.getByText('Passwords do not match')).toBeTruthy();
    expect(screen.getByLabelText('Confirm password').getAttribute('aria-invalid')).toBe('true');
    await type(screen.getByLabelText('Confirm password'), 'Abcdefg1!');
    expect(screen.getByText('Passwords match')).toBeTruthy();
  });
});

describe('the password field (AUTH-05)', () => {
  it('shows and hides the password with a labelled toggle', async () => {
    render(PasswordField, { label: 'Password', value: 'secret' });
    const input = screen.getByLabelText('Password') as HTMLInputElement;
    expect(input.type).toBe('password');
    await fireEvent.click(screen.getByRole('button', { name: 'Show password' }));
    flushSync();
    expect(input.type).toBe('text');
    await fireEvent.click(screen.getByRole('button', { name: 'Hide password' }));
    flushSync();
    expect(input.type).toBe('password');
  });
});

describe('the sign-in form', () => {
  function answer(status: number, message: string, headers: Record<string, string> = {}) {
    const fetch = vi.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(JSON.stringify({ error: { code: 'x', message } }), {
          status,
          headers: { 'content-type': 'application/json', ...headers },
        }),
    );
    vi.stubGlobal('fetch', fetch);
    return fetch;
  }

  async function signIn() {
    await type(screen.getByLabelText('Username'), 'ada');
    await type(screen.getByLabelText('Password'), 'Abcdefg1!');
    await fireEvent.submit(
      screen.getByRole('button', { name: 'Sign In' }).closest('form') as HTMLFormElement,
    );
  }

  it('asks for the second factor instead of showing an error (AUTH-03)', async () => {
    const fetch = answer(400, '2FA code required');
    render(LoginForm, { onsuccess: vi.fn() });
    await signIn();
    await vi.waitFor(() =>
      expect(document.activeElement).toBe(screen.getByLabelText('2FA Code or Backup Code')),
    );
    expect(screen.queryByRole('alert')).toBeNull();
    expect(JSON.parse(String(fetch.mock.calls[0]?.[1]?.body))).toEqual({
      username: 'ada',
      password: 'Abcdefg1!',
      totp_code: null,
    });

    await type(screen.getByLabelText('2FA Code or Backup Code'), '123 456');
    await fireEvent.submit(
      screen.getByRole('button', { name: 'Sign In' }).closest('form') as HTMLFormElement,
    );
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
    expect(JSON.parse(String(fetch.mock.calls[1]?.[1]?.body)).totp_code).toBe('123456');
  });

  it('shows the server message, and the wait for a 429 (AUTH-04)', async () => {
    answer(401, 'invalid username or password');
    render(LoginForm, { onsuccess: vi.fn() });
    await signIn();
    await vi.waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('Invalid username or password.'),
    );

    answer(429, 'too many authentication attempts', { 'retry-after': '7' });
    await signIn();
    await vi.waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('Too many requests — try again in 7s.'),
    );
  });
});
