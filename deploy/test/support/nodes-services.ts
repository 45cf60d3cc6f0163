import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export { deleteRedisKeys, testRedisUrl as redisUrl } from '../../../packages/server/test/redis-keys.js';

export interface ThrowawayDatabase {
  /** A `DATABASE_URL` for the servers. */
  url: string;
  query<T extends object>(text: string): Promise<T[]>;
  drop(): Promise<void>;
}

/** An empty PostgreSQL database of its own (named like the CI's cleanup expects), dropped by `drop`. */
export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const name = `chatalot_test_deploy_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await runAs(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    query: async <T extends object>(text: string) => runAs<T>(url.toString(), text),
    drop: async () => {
      await runAs(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function runAs<T extends object>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** A Redis key prefix of its own for one test run. */
export function uniqueRedisPrefix(): string {
  return `chatalot-deploy-${randomUUID().slice(0, 8)}:`;
}

/**
 * The secrets every node must share, made with the commands of docs/self-hosting/scaling.md: an Ed25519 JWT
 * key pair in files and a TOTP key in the environment. Returns the server environment that points at them.
 */
export function sharedSecrets(dir: string): Record<string, string> {
  const privatePath = path.join(dir, 'jwt_private.pem');
  const publicPath = path.join(dir, 'jwt_public.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', privatePath]);
  execFileSync('openssl', ['pkey', '-in', privatePath, '-pubout', '-out', publicPath]);
  return {
    JWT_PRIVATE_KEY_PATH: privatePath,
    JWT_PUBLIC_KEY_PATH: publicPath,
    TOTP_ENCRYPTION_KEY: execFileSync('openssl', ['rand', '-hex', '32']).toString().trim(),
  };
}
