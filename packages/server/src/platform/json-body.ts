import { limits } from '@chatalot/protocol';
import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies with two reference-compatible twists: an empty body with a JSON content type is "no
 * body" (clients send the header on GET and DELETE), and `__proto__`/`constructor` keys are refused.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: limits.jsonBodyBytes },
    (request, body, done) => {
      const text = body.toString();
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      parseJson(request, text, done);
    },
  );
}
