import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** Forwards TCP to the server; `cut` drops every connection, `blocked` refuses new ones, `muted` swallows replies. */
export class CuttableProxy {
  blocked = false;
  muted = false;
  readonly #pairs = new Set<[Socket, Socket]>();
  readonly #server: Server;

  private constructor(upstreamPort: number) {
    this.#server = createServer((client) => {
      if (this.blocked) {
        client.destroy();
        return;
      }
      const upstream = tcpConnect(upstreamPort, '127.0.0.1');
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      const end = () => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('data', (chunk) => upstream.write(chunk));
      upstream.on('data', (chunk) => {
        if (!this.muted) client.write(chunk);
      });
      for (const socket of pair) {
        socket.on('close', end);
        socket.on('error', end);
      }
    });
  }

  static async start(upstreamPort: number): Promise<{ proxy: CuttableProxy; baseUrl: string }> {
    const proxy = new CuttableProxy(upstreamPort);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    const address = proxy.#server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy has no port');
    return { proxy, baseUrl: `http://127.0.0.1:${address.port}` };
  }

  cut(): void {
    for (const [client, upstream] of [...this.#pairs]) {
      client.destroy();
      upstream.destroy();
    }
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
