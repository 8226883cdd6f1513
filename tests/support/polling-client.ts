/**
 * A long-polling client spoken by hand, for tests that need to choose when it polls: it
 * joins a room and then polls only when the test says (issue 15), or never again (the
 * volatile-drop and slow-client tests).
 */
import type { Auth } from '../../protocol/index.js';

const SEPARATOR = '\x1e';

export interface PollingClient {
  /** The Engine.IO session id, which is also the key of the server's engine socket. */
  sid: string;
  /** One GET: the packets the server had for it (waits for the next one when there are none). */
  poll(): Promise<string[]>;
  close(): Promise<void>;
}

/** A client that stopped reading. */
export type StalledClient = Pick<PollingClient, 'sid' | 'close'>;

/** Opens a polling session on /rooms, joins `page`'s public room, and polls no more by itself. */
export async function pollingClient(
  url: string,
  auth: Record<keyof Auth, unknown>,
  page: string,
): Promise<PollingClient> {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  const session = `${base}&sid=${sid}`;
  const post = async (body: string) => {
    const res = await fetch(session, { method: 'POST', body });
    if (!res.ok) throw new Error(`post failed: ${res.status}`);
  };
  const poll = async () => (await (await fetch(session)).text()).split(SEPARATOR);
  // Each GET waits for the server's next packets; read until one starts with `prefix`.
  const pollFor = async (prefix: string) => {
    for (;;) {
      if ((await poll()).some((packet) => packet.startsWith(prefix))) return;
    }
  };
  await post('40/rooms,' + JSON.stringify(auth));
  await pollFor('40/rooms,');
  await post('42/rooms,1' + JSON.stringify(['room:join', { page, cursorFormat: 'objects' }]));
  await pollFor('43/rooms,1');
  return { sid, poll, close: () => post('1') };
}

/** Opens a polling session on /rooms, joins `page`'s public room, and stops reading. */
export async function stalledPollingClient(
  url: string,
  auth: Record<keyof Auth, unknown>,
  page: string,
): Promise<StalledClient> {
  const { sid, close } = await pollingClient(url, auth, page);
  return { sid, close };
}
