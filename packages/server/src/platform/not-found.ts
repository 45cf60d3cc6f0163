import type { FastifyInstance } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { AppError } from './errors.js';
import type { StaticFiles } from './static-files.js';

/**
 * Everything no route matched: unknown API paths get a JSON 404 (405 when the path exists with
 * another method); other GET/HEAD requests get the web client. Call before any route is registered.
 */
export function registerNotFound(app: FastifyInstance, staticFiles: StaticFiles): void {
  const knownPaths = FindMyWay();
  app.addHook('onRoute', (route) => {
    const routeMethods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of routeMethods) knownPaths.on(method.toUpperCase() as HTTPMethod, route.url, () => {});
  });

  app.setNotFoundHandler(async (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    const isApi = url === '/api' || url.startsWith('/api/');
    if (!isApi && (request.method === 'GET' || request.method === 'HEAD'))
      return staticFiles.serve(request, reply);
    const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter(
      (method) => knownPaths.find(method, url) !== null,
    );
    if (allowed.length > 0)
      throw new AppError('method_not_allowed', undefined, { allow: allowed.join(', ') });
    throw new AppError('not_found', isApi ? `no API endpoint ${request.method} ${url}` : 'not found');
  });
}
