/**
 * Moves a long-polling connection back to WebSocket once WebSocket works again (issue 15).
 *
 * The connection tries WebSocket first and falls back to long-polling over `fetch` when the
 * WebSocket handshake fails (a proxy that refuses upgrades). Engine.IO probes an upgrade only
 * right after its handshake, and only to transports it has not given up on, so a fallback
 * would stay on polling for as long as the connection lives. While on polling this asks the
 * engine to probe WebSocket again now and then, with the same in-place upgrade Engine.IO
 * uses after a polling handshake (ping "probe" over a new WebSocket of the same session,
 * pause polling, switch): the Socket.IO sockets never disconnect, so rooms, note
 * subscriptions, the outbox and acks in flight do not notice. A failed probe leaves polling
 * untouched. A probe that neither opens nor fails (a network that drops upgrades silently)
 * is failed after {@link WEBSOCKET_OPEN_TIMEOUT_MS}, so its socket is closed and the next
 * probe comes as scheduled.
 */
import type { Manager } from 'socket.io-client';
import { WEBSOCKET_OPEN_TIMEOUT_MS } from './websocket-timeout.js';

/** Waits before each re-probe while on polling: soon after the fallback, then every 30 s. */
export const UPGRADE_PROBE_DELAYS_MS = [5_000, 10_000, 20_000, 30_000] as const;

/** The transport the connection runs on now. */
export type TransportName = 'websocket' | 'polling';

/**
 * The part of Engine.IO's client socket used here. `_probe` is private in engine.io-client
 * 6.6 (the method its own post-handshake upgrade calls); tests/integration/polling-fallback
 * .test.ts fails when an engine.io-client update renames it.
 */
interface ProbingEngine {
  readyState: string;
  upgrading: boolean;
  transport: ProbeTransport;
  _probe(name: 'websocket'): void;
  createTransport(name: string): ProbeTransport;
  on(event: 'upgrade' | 'upgradeError' | 'close', listener: () => void): void;
}

/** An Engine.IO client transport; `onError` (protected) is how the probe learns it failed. */
interface ProbeTransport {
  name: string;
  readyState: string;
  onError(reason: string): void;
}

/**
 * Starts Engine.IO's probe and answers the transport it made for it: `_probe` keeps it to
 * itself, so `createTransport` is watched for that one call.
 */
function startProbe(engine: ProbingEngine): ProbeTransport | null {
  let made: ProbeTransport | null = null;
  const create = engine.createTransport;
  engine.createTransport = (name) => (made = create.call(engine, name));
  try {
    engine._probe('websocket');
  } finally {
    // Back to the prototype's method.
    delete (engine as Partial<ProbingEngine>).createTransport;
  }
  return made;
}

export function transportOf(manager: Manager | null): TransportName | null {
  const name = manager?.engine?.transport?.name;
  return name === 'websocket' || name === 'polling' ? name : null;
}

/**
 * Watches every engine the manager opens (a reconnect makes a new one, which tries
 * WebSocket first by itself). `changed` is told when the transport changed.
 */
export function probeUpgrades(manager: Manager, changed: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const onOpen = () => {
    cancel();
    const engine = manager.engine as unknown as ProbingEngine;
    let attempt = 0;
    const schedule = () => {
      if (engine.transport.name !== 'polling') return;
      const delay = UPGRADE_PROBE_DELAYS_MS[Math.min(attempt, UPGRADE_PROBE_DELAYS_MS.length - 1)];
      attempt += 1;
      timer = setTimeout(() => {
        timer = null;
        // An engine that closed meanwhile is replaced by the next open, which schedules anew.
        if (manager.engine !== (engine as unknown) || engine.readyState !== 'open') return;
        if (engine.upgrading) return schedule();
        const probe = startProbe(engine);
        // Still opening later: fail it, which closes it and ends in upgradeError (schedule).
        setTimeout(() => {
          if (probe?.readyState === 'opening') probe.onError('websocket probe timeout');
        }, WEBSOCKET_OPEN_TIMEOUT_MS);
      }, delay);
    };
    engine.on('upgrade', () => {
      cancel();
      changed();
    });
    engine.on('upgradeError', schedule);
    engine.on('close', cancel);
    schedule();
    changed();
  };
  manager.on('open', onOpen);
  return () => {
    cancel();
    manager.off('open', onOpen);
  };
}
