/**
 * An HTTP proxy in front of the server that refuses WebSocket upgrades, as many company,
 * school and hotel proxies do (issue 15): plain HTTP requests (long-polling) pass, an
 * upgrade is answered 403 (or left hanging) until the test allows upgrades, after which
 * they pass too.
 * node:http only, so the tests need no proxy package.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface UpgradeProxy {
  /** Where clients should find the server. */
  url: string;
  /** Lets WebSocket upgrades through from now on (true), or refuses them again (false). */
  allowUpgrades(allow: boolean): void;
  /**
   * Counts since the start: upgrades refused (or left hanging) and passed, plain HTTP
   * requests passed, and hanging upgrades the client gave up on (closed).
   */
  counts: { refused: number; upgraded: number; http: number; abandoned: number };
  close(): Promise<void>;
}

/** The request line and headers as they came, for a raw upgrade sent on to the server. */
function rawHead(req: IncomingMessage): string {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

export interface UpgradeProxyOptions {
  /**
   * Added round trip of each plain HTTP request, half on the way in and half on the way out,
   * as a distant server's would be (the benchmark's polling with a real network's delay).
   */
  rttMs?: number;
  /**
   * What a blocked upgrade gets: `refuse`, a 403 at once (the default); `hang`, nothing at
   * all, as from a firewall that drops it silently.
   */
  blocked?: 'refuse' | 'hang';
}

export async function startUpgradeProxy(
  serverUrl: string,
  options: UpgradeProxyOptions = {},
): Promise<UpgradeProxy> {
  const half = (options.rttMs ?? 0) / 2;
  const later = (run: () => void) => (half > 0 ? setTimeout(run, half) : run());
  const target = new URL(serverUrl);
  const port = Number(target.port);
  const open = new Set<Socket>();
  const counts = { refused: 0, upgraded: 0, http: 0, abandoned: 0 };
  let allow = false;
  const server = createServer((req, res) => {
    counts.http += 1;
    // Bodies are small (64 KiB at most): read whole, so the delay holds the request as a unit.
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () =>
      later(() => {
        const upstream = request(
          { host: target.hostname, port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            const answerBody: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => answerBody.push(chunk));
            answer.on('end', () =>
              later(() => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                res.end(Buffer.concat(answerBody));
              }),
            );
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(Buffer.concat(body));
      }),
    );
  });
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (!allow) {
      counts.refused += 1;
      if (options.blocked === 'hang') {
        // The HTTP server keeps half-open sockets: the client's end is the sign it gave up.
        client.once('end', () => {
          counts.abandoned += 1;
          client.destroy();
        });
      } else client.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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
