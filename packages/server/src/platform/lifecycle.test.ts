import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Database } from './db/database.js';
import { stopOnSignals } from './lifecycle.js';

function fakeApp(close: () => Promise<void>): FastifyInstance {
  return { close, server: { closeAllConnections: () => {} } } as unknown as FastifyInstance;
}

const fakeDatabase = { close: async () => {} } as unknown as Database;

describe('stopOnSignals', () => {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));

  afterEach(() => {
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.includes(listener)) process.off(signal, listener);
      }
    }
    vi.restoreAllMocks();
  });

  it('exits 0 once the app and the database are closed', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    stopOnSignals(
      fakeApp(async () => {}),
      fakeDatabase,
      pino({ level: 'silent' }),
    );
    process.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
  });

  it('exits 1 when the shutdown hangs past its deadline', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const hanging = fakeApp(() => new Promise(() => {}));
    stopOnSignals(hanging, fakeDatabase, pino({ level: 'silent' }), 50);
    process.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
    expect(exit).not.toHaveBeenCalledWith(0);
  });
});
