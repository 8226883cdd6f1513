/**
 * Falls back to long-polling when a WebSocket handshake neither succeeds nor fails (issue 15).
 *
 * A proxy that answers the upgrade 403 makes Engine.IO's WebSocket fail at once, and
 * `tryAllTransports` goes on with polling. A firewall that drops the upgrade silently leaves
 * the WebSocket opening until the Manager's 20 s connect timeout, after which the reconnect
 * tries WebSocket again: such a user would never connect. So a connection attempt still on
 * an opening WebSocket after {@link WEBSOCKET_OPEN_TIMEOUT_MS} is failed by hand, which
 * Engine.IO answers as it answers a refused one: the same attempt goes on over polling.
 */
import type { Manager } from 'socket.io-client';

/** A WebSocket handshake to a reachable server takes milliseconds; a dropped one never ends. */
export const WEBSOCKET_OPEN_TIMEOUT_MS = 3_000;

/** The part of Engine.IO's client socket and transport used here (`onError` is protected). */
interface OpeningEngine {
  readyState: string;
  transport: { name: string; onError(reason: string): void; close(): void };
}

/** Watches the attempt the manager is making now; call right after it started one. */
function watchAttempt(manager: Manager): void {
  const engine = manager.engine as unknown as OpeningEngine | undefined;
  if (!engine) return;
  setTimeout(() => {
    if ((manager.engine as unknown) !== engine || engine.readyState !== 'opening') return;
    const transport = engine.transport;
    if (transport.name !== 'websocket') return;
    // The error moves the engine on to polling and unhooks this transport; then it is closed.
    transport.onError('websocket open timeout');
    transport.close();
  }, WEBSOCKET_OPEN_TIMEOUT_MS);
}

/**
 * Arms the timeout for the attempt that `connect` starts and for every reconnect attempt
 * (each makes a new engine, trying WebSocket first). Returns the function that disarms it.
 */
export function timeOutWebSockets(manager: Manager, connect: () => void): () => void {
  // The manager makes the reconnect's engine right after this event, in the same turn.
  const onAttempt = () => setTimeout(() => watchAttempt(manager), 0);
  manager.on('reconnect_attempt', onAttempt);
  connect();
  watchAttempt(manager);
  return () => manager.off('reconnect_attempt', onAttempt);
}
