import type { Connection } from './connection.js';

/** The live connections of this process, indexed by user and by subscribed channel. */
export class Registry {
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byChannel = new Map<string, Set<Connection>>();
  private readonly all = new Set<Connection>();

  add(connection: Connection): void {
    this.all.add(connection);
    addTo(this.byUser, connection.userId, connection);
  }

  remove(connection: Connection): void {
    this.all.delete(connection);
    removeFrom(this.byUser, connection.userId, connection);
    for (const channelId of connection.subscriptions.keys())
      removeFrom(this.byChannel, channelId, connection);
    connection.subscriptions.clear();
  }

  subscribed(connection: Connection, channelId: string): void {
    addTo(this.byChannel, channelId, connection);
  }

  unsubscribed(connection: Connection, channelId: string): void {
    connection.subscriptions.delete(channelId);
    removeFrom(this.byChannel, channelId, connection);
  }

  ofUser(userId: string): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? empty;
  }

  ofChannel(channelId: string): ReadonlySet<Connection> {
    return this.byChannel.get(channelId) ?? empty;
  }

  connections(): ReadonlySet<Connection> {
    return this.all;
  }

  userIds(): IterableIterator<string> {
    return this.byUser.keys();
  }

  get size(): number {
    return this.all.size;
  }
}

const empty: ReadonlySet<Connection> = new Set();

function addTo(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const set = index.get(key);
  if (set) set.add(connection);
  else index.set(key, new Set([connection]));
}

function removeFrom(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) index.delete(key);
}
