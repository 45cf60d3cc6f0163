import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { Gateway, type GatewayOptions } from './gateway.js';
import { registerGatewayFrames } from './gateway.ws.js';

/** Text frames over this size are refused before they are buffered (websocket.md §3); the socket gets 1009. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** `GET /ws`: the real-time gateway. */
export function realtimeRoutes(
  context: AppContext,
  options: GatewayOptions,
  registerDomainFrames: (gateway: Gateway) => void,
) {
  return async (app: FastifyInstance) => {
    const gateway = new Gateway(
      {
        db: context.db,
        tokens: context.tokens,
        hub: context.hub,
        shared: context.shared,
        clock: context.clock,
        logger: app.log,
      },
      options,
    );
    registerGatewayFrames(gateway);
    registerDomainFrames(gateway);
    await app.register(websocket, {
      options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false },
      preClose(done) {
        gateway.stop(this.websocketServer.clients).then(() => done(), done);
      },
    });
    app.get('/ws', { websocket: true }, (socket) => gateway.accept(socket));
    gateway.start();
  };
}
