import { Redis } from 'ioredis';
import type { DomainEvent, EventHub, EventListener } from './hub.js';

export interface RedisHubOptions {
  url: string;
  /** Starts the channel name, e.g. `chatalot:`; processes with the same prefix share events. */
  prefix: string;
  /** Receives failed publishes, unreadable messages, throwing listeners and connection errors. */
  onError: (error: unknown) => void;
}

/**
 * The hub of several server processes, over Redis pub/sub. Every event, this process's own included, reaches
 * the listeners through Redis, so all processes see the events of one publisher in the same order.
 */
export class RedisHub implements EventHub {
  private readonly listeners = new Set<EventListener>();
  private readonly channel: string;
  private readonly onError: (error: unknown) => void;
  private readonly publisher: Redis;
  /** A subscribed connection can send nothing but (un)subscribe commands, hence a second one. */
  private readonly subscriber: Redis;

  constructor(options: RedisHubOptions) {
    this.channel = `${options.prefix}events`;
    this.onError = options.onError;
    this.publisher = connect(options.url, this.onError);
    this.subscriber = connect(options.url, this.onError);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.deliver(message);
    });
  }

  /** Resolves once subscribed: events published from then on reach the listeners. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  /** The frame travels once: its pre-serialised `json` copy stays in this process. */
  publish(event: DomainEvent): void {
    const payload = event.kind === 'frame' ? { ...event, json: undefined } : event;
    this.publisher.publish(this.channel, JSON.stringify(payload)).catch(this.onError);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    const open = [this.publisher, this.subscriber].filter((redis) => redis.status !== 'end');
    await Promise.all(open.map((redis) => redis.quit()));
  }

  private deliver(message: string): void {
    let event: DomainEvent;
    try {
      event = JSON.parse(message);
    } catch (error) {
      this.onError(error);
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

function connect(url: string, onError: (error: unknown) => void): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  redis.on('error', onError);
  return redis;
}
