import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../domains/auth/auth.service.js';
import { deviceName } from '../domains/sessions/device-name.js';

/** Where a request comes from, for sessions and the audit log. */
export function originOf(request: FastifyRequest): RequestOrigin {
  const userAgent = request.headers['user-agent'] ?? null;
  return { ip: request.ip, userAgent, deviceName: deviceName(userAgent ?? undefined) };
}
