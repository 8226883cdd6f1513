/**
 * A TCP link between one browser and the server that a test can cut, as a dropped network
 * would: open connections die at once and new ones are refused until it is restored. The
 * other users, and the server, stay up. Unlike Playwright's offline emulation it holds for
 * a service worker Chrome starts while the link is down.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface NetworkLink {
  /** Where the browser should find the server. */
  url: string;
  /** Drops every open connection and refuses new ones until {@link restore}. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startLink(serverUrl: string): Promise<NetworkLink> {
  const target = new URL(serverUrl);
  const open = new Set<Socket>();
  let up = true;
  const server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(from);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        open.delete(from);
        to.destroy();
      });
      from.pipe(to);
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const dropAll = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      up = false;
      dropAll();
    },
    restore() {
      up = true;
    },
    close: () =>
      new Promise((done) => {
        dropAll();
        server.close(() => done());
      }),
  };
}
