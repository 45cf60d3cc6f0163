import { WebSocketServer } from 'ws';

/**
 * The floor for the fan-out benchmark (fanout.ts): a plain `ws` server with no authentication, no database and
 * no protocol, that sends every message it receives to every other connected client, as it came (the received
 * bytes, not a re-encoded string). Run as its own process so that it can be pinned like our server:
 * `node --import tsx bare-ws-server.ts <port>`; prints `listening <port>` once it accepts connections.
 */
const port = Number(process.argv[2] ?? 0);
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });

server.on('connection', (sender) => {
  sender.on('message', (data, isBinary) => {
    for (const client of server.clients) {
      if (client !== sender && client.readyState === client.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

server.on('listening', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address !== null ? address.port : address}`);
});

const stop = () => {
  for (const client of server.clients) client.terminate();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
