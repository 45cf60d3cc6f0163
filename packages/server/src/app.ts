import { constants as zlib } from 'node:zlib';
import { limits } from '@chatalot/protocol';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Config } from './config.js';
import { type AppContext, createContext } from './context.js';
import { accountRoutes } from './domains/account/account.routes.js';
import { AccountService } from './domains/account/account.service.js';
import { adminInvitesRoutes } from './domains/admin-invites/admin-invites.routes.js';
import { promoteConfiguredAdmin } from './domains/auth/admin-bootstrap.js';
import { authRoutes } from './domains/auth/auth.routes.js';
import { bookmarksRoutes } from './domains/bookmarks/bookmarks.routes.js';
import { channelsRoutes } from './domains/channels/channels.routes.js';
import { communitiesRoutes } from './domains/communities/communities.routes.js';
import { dmsRoutes } from './domains/dms/dms.routes.js';
import { groupInvitesRoutes } from './domains/groups/group-invites.routes.js';
import { groupsRoutes } from './domains/groups/groups.routes.js';
import { healthRoutes } from './domains/health/health.routes.js';
import { keysRoutes } from './domains/keys/keys.routes.js';
import { legalRoutes } from './domains/legal/legal.routes.js';
import { createMessagingServices, type MessagingServices } from './domains/messages/index.js';
import { messagesRoutes } from './domains/messages/messages.routes.js';
import { registerMessageFrames } from './domains/messages/messages.ws.js';
import { pinsRoutes } from './domains/pins/pins.routes.js';
import { pollsRoutes } from './domains/polls/polls.routes.js';
import { preferencesRoutes } from './domains/preferences/preferences.routes.js';
import { PreferencesService } from './domains/preferences/preferences.service.js';
import { scheduledRoutes } from './domains/scheduled/scheduled.routes.js';
import { searchRoutes } from './domains/search/search.routes.js';
import { senderKeysRoutes } from './domains/sender-keys/sender-keys.routes.js';
import { totpRoutes } from './domains/totp/totp.routes.js';
import { usersRoutes } from './domains/users/users.routes.js';
import { UsersService } from './domains/users/users.service.js';
import { scheduleJobs } from './jobs/scheduler.js';
import { authenticate } from './platform/auth/authenticate.js';
import { type Clock, systemClock } from './platform/clock.js';
import type { Database } from './platform/db/database.js';
import { registerErrorHandler } from './platform/errors.js';
import { type EventHub, InProcessHub } from './platform/events/hub.js';
import { RedisHub } from './platform/events/redis-hub.js';
import { registerJsonBodyParser } from './platform/json-body.js';
import { registerNotFound } from './platform/not-found.js';
import { MemoryRateLimitStore, type RateLimitStore, registerRateLimits } from './platform/rate-limit.js';
import type { Secrets } from './platform/secrets.js';
import { registerSecurityHeaders } from './platform/security-headers.js';
import { StaticFiles } from './platform/static-files.js';
import { defaultGatewayOptions, type GatewayOptions } from './realtime/gateway.js';
import { MemorySharedState } from './realtime/memory-shared-state.js';
import { realtimeRoutes } from './realtime/realtime.routes.js';
import { RedisSharedState } from './realtime/redis-shared-state.js';
import type { SharedState } from './realtime/shared-state.js';

export interface AppDeps {
  config: Readonly<Config>;
  database: Database;
  secrets: Secrets;
  logger: FastifyBaseLogger;
  clock?: Clock;
  rateLimitStore?: RateLimitStore;
  hub?: EventHub;
  /** Overrides of the gateway's limits and timers (tests). */
  gateway?: Partial<GatewayOptions>;
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
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: 1024,
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  });

  const { hub, shared } = await connectRealtime(deps, clock);
  app.addHook('onClose', async () => {
    await hub.close?.();
    await shared.close();
  });
  registerRateLimits(app, deps.rateLimitStore ?? httpRateLimitStore(deps, shared, clock));
  const context = createContext(config, deps.database, deps.secrets, clock, hub, shared);
  await app.register(
    healthRoutes({ database: deps.database, startedAt: clock.now(), now: () => clock.now() }),
  );
  await app.register(authRoutes(context));
  await app.register(legalRoutes(context.config));
  const messaging = createMessagingServices(context);
  await app.register(authenticatedRoutes(context, messaging));
  await app.register(
    realtimeRoutes(context, { ...defaultGatewayOptions, ...deps.gateway }, (gateway) =>
      registerMessageFrames(gateway.dispatcher, { ...messaging, typing: gateway.typing }),
    ),
  );
  app.addHook('onReady', () => announceOwnerSetup(context, deps.logger));
  app.addHook('onReady', () => bootstrapAdmin(context, deps.logger));
  scheduleJobs(app, context, deps.logger);
  return app;
}

/**
 * Per-IP request buckets: in this process for one node; in Redis when several nodes share it, so that N nodes do
 * not allow N times the burst. If Redis cannot answer, the request goes through (logged): availability wins.
 */
function httpRateLimitStore(deps: AppDeps, shared: SharedState, clock: Clock): RateLimitStore {
  if (deps.config.redis === null) return new MemoryRateLimitStore(clock);
  return {
    take: (key, rule) =>
      shared.takeToken(`http:${key}`, rule).catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'rate limit store unavailable; request allowed');
        return { allowed: true, retryAfterSeconds: 0 };
      }),
  };
}

/** One process: in-memory hub and state. With `REDIS_URL`: both in Redis, so several processes act as one. */
async function connectRealtime(deps: AppDeps, clock: Clock): Promise<{ hub: EventHub; shared: SharedState }> {
  const onError = (error: unknown) => deps.logger.error({ err: error }, 'event delivery failed');
  const redis = deps.config.redis;
  if (redis === null) {
    return { hub: deps.hub ?? new InProcessHub(onError), shared: new MemorySharedState(clock) };
  }
  const shared = new RedisSharedState(redis);
  if (deps.hub) return { hub: deps.hub, shared };
  const hub = new RedisHub({ ...redis, onError });
  await hub.start();
  return { hub, shared };
}

/** Routes behind a valid access token. */
function authenticatedRoutes(context: AppContext, messaging: MessagingServices) {
  return async (app: FastifyInstance) => {
    app.decorateRequest('auth', null);
    app.addHook('onRequest', authenticate(context.tokens, context.db));
    await app.register(accountRoutes(new AccountService(context.db, context.sessions, context.hub)));
    await app.register(totpRoutes(context.totp));
    await app.register(adminInvitesRoutes(context));
    await app.register(usersRoutes(new UsersService(context.db, context.hub)));
    await app.register(preferencesRoutes(new PreferencesService(context.db)));
    await app.register(channelsRoutes(context));
    await app.register(dmsRoutes(context));
    await app.register(groupsRoutes(context));
    await app.register(groupInvitesRoutes(context));
    await app.register(communitiesRoutes(context));
    await app.register(searchRoutes(context));
    await app.register(scheduledRoutes(context));
    await app.register(messagesRoutes(messaging.history, messaging.readState));
    await app.register(pollsRoutes(context));
    await app.register(pinsRoutes(context));
    await app.register(bookmarksRoutes(context));
    await app.register(keysRoutes(context));
    await app.register(senderKeysRoutes(context));
  };
}

async function bootstrapAdmin({ config, db }: AppContext, logger: FastifyBaseLogger): Promise<void> {
  if (config.adminUsername === null) return;
  if (await promoteConfiguredAdmin(db, config.adminUsername)) {
    logger.info({ username: config.adminUsername }, 'ADMIN_USERNAME made an instance admin');
  }
}

async function announceOwnerSetup(context: AppContext, logger: FastifyBaseLogger): Promise<void> {
  if (context.config.registrationMode === 'open') return;
  const code = await context.ownerSetup.issueIfNeeded();
  if (code === null) return;
  logger.warn(
    { setupCodeFile: 'DATA_DIR/secrets/owner-setup-code' },
    `No account exists yet. Register the owner account with the setup code ${code} as its invite code.`,
  );
}
