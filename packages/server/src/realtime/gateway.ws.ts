import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '@chatalot/protocol';
import { invalid } from '../platform/errors.js';
import type { Connection } from './connection.js';
import type { Gateway } from './gateway.js';

/** The frames the gateway handles itself: liveness, subscriptions, resume, presence and typing. */
export function registerGatewayFrames(gateway: Gateway): void {
  const { dispatcher, subscriptions, presence, typing } = gateway;

  dispatcher.on('authenticate', () => {});
  dispatcher.on('ping', (connection, frame) => {
    connection.send(
      frame.ref === undefined ? { type: 'pong', timestamp: frame.timestamp } : { ...frame, type: 'pong' },
    );
  });

  dispatcher.on('subscribe', async (connection, frame) => {
    const added = new Set(frame.channel_ids.filter((id) => !connection.subscriptions.has(id)));
    if (connection.subscriptions.size + added.size > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      throw invalid('too many active subscriptions');
    }
    await subscriptions.subscribe(connection, [...added]);
  });
  dispatcher.on('unsubscribe', (connection, frame) =>
    subscriptions.unsubscribe(connection, frame.channel_ids),
  );
  dispatcher.on('resume', async (connection, frame) => {
    const added = Object.keys(frame.channels).filter((id) => !connection.subscriptions.has(id));
    if (connection.subscriptions.size + added.length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      throw invalid('too many active subscriptions');
    }
    const channels = await subscriptions.resume(connection, frame.channels);
    connection.send({ type: 'resumed', channels, ...(frame.ref !== undefined && { ref: frame.ref }) });
  });

  dispatcher.on('update_presence', (connection, frame) => presence.update(connection, frame.status));
  dispatcher.on('typing', async (connection, frame) => {
    if (await isMember(gateway, connection, frame.channel_id)) {
      await typing.typing(connection, frame.channel_id);
    }
  });
  dispatcher.on('stop_typing', async (connection, frame) => {
    if (await isMember(gateway, connection, frame.channel_id)) {
      typing.stop(connection.userId, frame.channel_id);
    }
  });
}

/** A live subscription proves membership (it ends when access does); otherwise ask the database. */
async function isMember(gateway: Gateway, connection: Connection, channelId: string): Promise<boolean> {
  if (connection.subscriptions.get(channelId)?.ready) return true;
  return (await gateway.subscriptions.accessible(connection.userId, [channelId])).has(channelId);
}
