/**
 * An HTTP proxy in front of the server that refuses WebSocket upgrades, as many company,
 * school and hotel proxies do (issue 15): plain HTTP requests (long-polling) pass, an
 * upgrade is answered 403 until the test allows upgrades, after which they pass too.
 * node:http only, so the tests need no proxy package.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface UpgradeProxy {
  /** Where clients should find the server. */
  url: string;
  /** Lets WebSocket upgrades through from now on (true), or refuses them again (false). */
  allowUpgrades(allow: boolean): void;
  /** Counts since the start: upgrades refused and passed, plain HTTP requests passed. */
  counts: { refused: number; upgraded: number; http: number };
  close(): Promise<void>;
}

/** The request line and headers as they came, for a raw upgrade sent on to the server. */
function rawHead(req: IncomingMessage): string {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

export async function startUpgradeProxy(serverUrl: string): Promise<UpgradeProxy> {
  const target = new URL(serverUrl);
  const port = Number(target.port);
  const open = new Set<Socket>();
  const counts = { refused: 0, upgraded: 0, http: 0 };
  let allow = false;
  const server = createServer((req, res) => {
    counts.http += 1;
    const upstream = request(
      { host: target.hostname, port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (!allow) {
      counts.refused += 1;
      client.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    counts.upgraded += 1;
    const upstream = connect(port, target.hostname, () => {
      upstream.write(rawHead(req));
      upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    allowUpgrades(value) {
      allow = value;
    },
    counts,
    close: () =>
      new Promise((done) => {
        for (const socket of open) socket.destroy();
        server.close(() => done());
      }),
  };
}
