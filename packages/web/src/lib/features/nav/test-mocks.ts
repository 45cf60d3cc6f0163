import { fakeHttp, fakeSocket, ME } from './test-fixtures';

/**
 * Module stand-ins for the navigation's component tests, signed in as `ME` (a plain member):
 *
 *     vi.mock('$lib/api/http', () => import('./test-mocks'));
 *     vi.mock('$lib/realtime/socket.svelte', () => import('./test-mocks'));
 *     vi.mock('$lib/features/auth/session.svelte', () => import('./test-mocks'));
 *
 * `fake` and `socket` exist from the start (presence listens on the socket as soon as it is imported);
 * `resetFakes()` empties them between tests.
 */
export const fake = fakeHttp();
export const socket = fakeSocket();

export function resetFakes(): void {
  Object.assign(fake, fakeHttp());
  Object.assign(socket, fakeSocket());
}

/** `$lib/api/http`'s client, answered by whatever `fake` holds now. */
export const http = new Proxy({}, { get: (_, key) => Reflect.get(fake.http, key) });

export const session = {
  get user() {
    return { id: ME, is_admin: false, is_owner: false };
  },
  onSignOut: () => () => undefined,
};
