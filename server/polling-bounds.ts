/**
 * Long-polling gets the bounds a WebSocket has (issue 15), and loses no cursor change a
 * WebSocket would not lose.
 *
 * Oversized posts: Engine.IO answers a POST over `maxHttpBufferSize` with 413 but keeps the
 * session open; a polite client then closes it, a hostile one could post oversized bodies for
 * as long as it likes. A WebSocket that sends one oversized message is closed (`ws`
 * maxPayload), so the polling session that sent one is closed here too, as the 413 goes out.
 *
 * Kept cursor batches: {@link keepsVolatile}, applied where Socket.IO would drop a volatile
 * packet (the `writeToEngine` wrapper in metrics.ts, which counts the drops).
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';

/** The part of Engine.IO's server looked at here: its sessions by id. */
interface Sessions {
  clients: Record<string, { close(discard?: boolean): void } | undefined>;
}

export function closeOversizedPolls(io: Server): void {
  const engine = io.engine as unknown as Sessions & Server['engine'];
  engine.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    // Only plain HTTP requests of an open polling session: a POST carries the client's packets.
    if (req.method === 'POST' && res instanceof ServerResponse) {
      const sid = new URL(req.url ?? '/', 'http://x').searchParams.get('sid');
      if (sid) {
        res.once('finish', () => {
          if (res.statusCode === 413) engine.clients[sid]?.close(true);
        });
      }
    }
    next();
  });
}

/**
 * Volatile packets (cursor batches) a polling connection may have waiting for its next
 * GET. Socket.IO drops a volatile packet whenever the transport is not writable, which for
 * a WebSocket is a write in progress, rare, but for polling is every moment between the
 * answer to one GET and the arrival of the next: a round trip after every delivery. The
 * batches are deltas, so the drop lost positions for good (a peer who stopped moving in
 * that gap stayed where the dropped batch would have moved them). A polling connection
 * keeps them instead, up to this many packets waiting (half a second at 60 Hz): one that
 * polls gets every change with its next GET; one that stops polling is back to drops
 * after this many, and the send-queue bound and the heartbeat end it.
 */
export const POLLING_VOLATILE_QUEUE = 32;

/** The part of an Engine.IO connection looked at here. */
interface PollingConnection {
  transport: { writable: boolean; name: string };
  writeBuffer: unknown[];
}

/**
 * Whether a volatile packet for `conn`, whose transport is not writable, is kept (queued as
 * a reliable one) rather than dropped: polling with room in its queue.
 */
export function keepsVolatile(conn: PollingConnection): boolean {
  return conn.transport.name === 'polling' && conn.writeBuffer.length < POLLING_VOLATILE_QUEUE;
}
