import { constants as zlib } from 'node:zlib';
import { limits } from '@chatalot/protocol';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Config } from './config.js';
import { healthRoutes } from './domains/health/health.routes.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Database } from './platform/db/database.js';
import { registerErrorHandler } from './platform/errors.js';
import { registerJsonBodyParser } from './platform/json-body.js';
import { registerNotFound } from './platform/not-found.js';
import { MemoryRateLimitStore, type RateLimitStore, registerRateLimits } from './platform/rate-limit.js';
import { registerSecurityHeaders } from './platform/security-headers.js';
import { StaticFiles } from './platform/static-files.js';

export interface AppDeps {
  config: Readonly<Config>;
  database: Database;
  logger: FastifyBaseLogger;
  clock?: Clock;
  rateLimitStore?: RateLimitStore;
}

/** Builds the HTTP application without listening, so tests can drive it with `inject`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustedProxies,
    bodyLimit: limits.maxBodyBytes,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  });

  registerErrorHandler(app);
  registerNotFound(app, new StaticFiles(config.staticFilesPath));
  registerJsonBodyParser(app);
  registerSecurityHeaders(app, { hsts: config.hsts });
  await app.register(cors, {
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization'],
    credentials: false,
  });
  registerRateLimits(app, deps.rateLimitStore ?? new MemoryRateLimitStore(clock));
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: 1024,
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });

  await app.register(
    healthRoutes({ database: deps.database, startedAt: clock.now(), now: () => clock.now() }),
  );
  return app;
}
