import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './platform/db/database.js';
import { MigrationError, migrate } from './platform/db/migrations.js';
import { stopOnSignals } from './platform/lifecycle.js';
import { createLogger } from './platform/logging.js';
import { loadSecrets } from './platform/secrets.js';
import { serverVersion } from './platform/version.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const secrets = loadSecrets(config);
  const logger = createLogger(config.logLevel);
  mkdirSync(config.fileStoragePath, { recursive: true });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    logger,
  });
  try {
    const applied = await migrate(database.db);
    if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.version) }, 'database migrated');
  } catch (error) {
    await database.close();
    throw error;
  }
  const app = await buildApp({ config, database, secrets, logger });
  stopOnSignals(app, database, logger);
  const address = await app.listen({ host: config.listen.host, port: config.listen.port });
  logger.info(
    { version: serverVersion, database: database.kind, startupMs: Math.round(performance.now()) },
    `Chatalot is listening on ${address}`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`chatalot: configuration error: ${error.message}`);
  else if (error instanceof MigrationError) console.error(`chatalot: database error: ${error.message}`);
  else console.error('chatalot: failed to start:', error);
  process.exit(1);
});
