import type { IncomingMessage } from 'node:http';
import { TestSocket } from '../../../packages/server/test/ws-client.js';

export interface SecureSocket {
  socket: TestSocket;
  /**
   * The node that took the upgrade (`host:port`): the last one of the test-only `X-Test-Upstream` header,
   * which lists every node nginx tried.
   */
  upstream: string;
}

/** Opens `wss://…/ws` trusting only `ca`, authenticates with `token`, and tells which node answered. */
export async function openSecureSocket(
  baseUrl: string,
  token: string,
  options: { ca: Buffer; localAddress?: string },
): Promise<SecureSocket> {
  let upstream = '';
  const socket = await TestSocket.connect(baseUrl, token, {
    ...options,
    finishRequest: (request, _websocket) => {
      request.once('upgrade', (response: IncomingMessage) => {
        upstream =
          String(response.headers['x-test-upstream'] ?? '')
            .split(', ')
            .at(-1) ?? '';
      });
      request.end();
    },
  });
  return { socket, upstream };
}
