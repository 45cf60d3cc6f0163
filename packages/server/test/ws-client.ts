import WebSocket, { type ClientOptions } from 'ws';

export type Frame = { type: string } & Record<string, unknown>;
export interface Closed {
  code: number;
  reason: string;
}

/** A real WebSocket client that records every frame it receives, for tests. */
export class TestSocket {
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  /** `options` go to `ws` (a TLS `ca`, a `localAddress`, ...). */
  static open(baseUrl: string, options: ClientOptions = {}): Promise<TestSocket> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, options);
    const client = new TestSocket(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** Opens, authenticates and waits for `authenticated`. */
  static async connect(baseUrl: string, token: string, options: ClientOptions = {}): Promise<TestSocket> {
    const client = await TestSocket.open(baseUrl, options);
    client.send({ type: 'authenticate', token });
    await client.next('authenticated');
    return client;
  }

  send(frame: object | string): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * The first frame of `type` (or of any of the types) not yet taken, waiting up to `ms`; frames before it
   * stay available.
   */
  next(
    type: string | readonly string[],
    match: (frame: Frame) => boolean = () => true,
    ms = 3_000,
  ): Promise<Frame> {
    const types = typeof type === 'string' ? [type] : type;
    return this.nextWhere((frame) => types.includes(frame.type) && match(frame), types.join(' or '), ms);
  }

  private async nextWhere(match: (frame: Frame) => boolean, what: string, ms: number): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0] as Frame;
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The reply (of any type: the answer or an `error`) to the frame sent with `ref`. */
  reply(ref: string, ms = 3_000): Promise<Frame> {
    return this.nextWhere((frame) => frame.ref === ref, `a reply to ${ref}`, ms);
  }

  /** Frames of `type` received so far, without taking them. */
  all(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  /** Sends a ping with a `ref` and waits for its pong: every frame sent before it has been handled. */
  async roundTrip(): Promise<void> {
    const ref = `sync-${Math.random()}`;
    this.send({ type: 'ping', timestamp: 1, ref });
    await this.next('pong', (frame) => frame.ref === ref);
  }

  close(): void {
    this.socket.close();
  }
}
