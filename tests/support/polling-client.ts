/**
 * A deliberately slow client for the volatile-drop test: it speaks Engine.IO long-polling
 * by hand, joins a room, and then never polls again, so the server can never write to it.
 */
import type { Auth } from '../../protocol/index.js';

const SEPARATOR = '\x1e';

export interface StalledClient {
  /** The Engine.IO session id, which is also the key of the server's engine socket. */
  sid: string;
  close(): Promise<void>;
}

/** Opens a polling session on /rooms, joins `page`'s public room, and stops reading. */
export async function stalledPollingClient(
  url: string,
  auth: Record<keyof Auth, unknown>,
  page: string,
): Promise<StalledClient> {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  const session = `${base}&sid=${sid}`;
  const post = async (body: string) => {
    const res = await fetch(session, { method: 'POST', body });
    if (!res.ok) throw new Error(`post failed: ${res.status}`);
  };
  // Each GET waits for the server's next packets; read until one starts with `prefix`.
  const pollFor = async (prefix: string) => {
    for (;;) {
      const packets = (await (await fetch(session)).text()).split(SEPARATOR);
      if (packets.some((packet) => packet.startsWith(prefix))) return;
    }
  };
  await post('40/rooms,' + JSON.stringify(auth));
  await pollFor('40/rooms,');
  await post('42/rooms,1' + JSON.stringify(['room:join', { page }]));
  await pollFor('43/rooms,1');
  return {
    sid,
    close: () => post('1'),
  };
}
