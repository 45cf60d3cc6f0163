import type { InboundFrame } from './frames';

type SentFrame = { type: string } & Record<string, unknown>;

/** A WebSocket stand-in for unit tests: records what the client sends and lets the test play the server. */
export class FakeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readyState = FakeWebSocket.CONNECTING;
  readonly sent: SentFrame[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  closedWith: number | undefined;

  constructor(readonly url: string) {}

  send(text: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error(`send while ${this.readyState}`);
    this.sent.push(JSON.parse(text) as SentFrame);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = FakeWebSocket.CLOSED;
  }

  /** Server side: the connection opens. */
  open(): void {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.();
  }

  /** Server side: a frame arrives at the client. */
  receive(frame: InboundFrame | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** Server side: the connection ends with `code`. */
  drop(code = 1006): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code });
  }

  /** Server side: opens and accepts the `authenticate` frame. */
  accept(userId = 'me'): void {
    this.open();
    this.receive({ type: 'authenticated', user_id: userId, server_version: 'test' });
  }

  sentOf(type: string): SentFrame[] {
    return this.sent.filter((frame) => frame.type === type);
  }
}

/** Creates fake sockets on demand and keeps them, newest last. */
export class FakeServer {
  readonly sockets: FakeWebSocket[] = [];

  readonly create = (url: string): WebSocket => {
    const ws = new FakeWebSocket(url);
    this.sockets.push(ws);
    return ws as unknown as WebSocket;
  };

  get latest(): FakeWebSocket {
    const ws = this.sockets.at(-1);
    if (!ws) throw new Error('no socket was created');
    return ws;
  }
}
