/**
 * What the orchestrator asks of the load generator, and what comes back: the job, the
 * schedule on the shared monotonic clock, the messages of both IPC hops (orchestrator
 * <-> generator process <-> worker threads) and the raw counts a run produces.
 */
import type { TargetName } from '../support/server-under-test.js';
import type { LedgerBuffers } from './send-ledger.js';

/** Cursor traffic: `rooms` x `usersPerRoom` users each moving at `hz`, optionally creating notes. */
export interface CursorJob {
  kind: 'cursor';
  target: TargetName;
  url: string;
  /**
   * Several nodes of one cluster (`npm run bench -- --cluster`): member i of every room
   * connects to `urls[i % urls.length]`, so each room spans the nodes; `url` is unused.
   */
  urls?: string[];
  runId: string;
  rooms: number;
  usersPerRoom: number;
  hz: number;
  /**
   * Users per room that are probes (real socket.io-client / ws clients that decode and
   * measure everything); the others are load clients (light-clients.ts).
   */
  probesPerRoom: number;
  /** Acked note creates per user per second; 0 for none (ours only). */
  notesHz: number;
  /**
   * How long the target may hold a room's updates before it flushes them (ours: one
   * tick, or several for large rooms; 0 for the relays): two updates of one sender
   * closer than this may be merged by design, and a miss of that kind counts as coalesced.
   */
  flushPeriodMs: number;
  workers: number;
}

/** Idle connections: connected and in a room (ours: /rooms joined and /notes subscribed), silent. */
export interface IdleJob {
  kind: 'idle';
  target: TargetName;
  url: string;
  runId: string;
  connections: number;
  usersPerRoom: number;
  workers: number;
}

export type GeneratorJob = CursorJob | IdleJob;

/** Absolute times (ms, shared monotonic clock). Sends run from `sendFromMs` to `windowToMs`. */
export interface Schedule {
  sendFromMs: number;
  windowFromMs: number;
  windowToMs: number;
  /** After the window, how long receivers keep listening for late deliveries. */
  drainMs: number;
}

/** Width of a slot of {@link CursorCounts.receivedSeries}. */
export const SERIES_SLOT_MS = 50;

/** Counts from one worker (or summed over all); histograms are hdr compressed base64. */
export interface CursorCounts {
  /** Updates the schedule asked for inside the window. */
  scheduled: number;
  /** Of those, dropped by the client library before the socket (volatile while busy). */
  clientDropped: number;
  /** Sum over window sends of (room size - 1): every other member should see each one. */
  expected: number;
  /** Window updates received by a room member other than the sender, counted once each. */
  delivered: number;
  /** Missed updates that a newer update of the same sender, sent within one server tick, replaced. */
  coalesced: number;
  /** Missed updates replaced by a newer one sent more than a tick later (late tick or a drop). */
  superseded: number;
  /** (receiver, sender) pairs whose final position never arrived: a stale cursor on screen. */
  finalMissed: number;
  /** The same (receiver, sender, seq) again or out of order. */
  duplicates: number;
  /** A sender's own update came back to it. */
  echoes: number;
  /** Updates from a user outside the receiver's room, or that no ledger entry explains. */
  foreign: number;
  /** Connections that closed during the run. */
  disconnects: number;
  /**
   * Updates received (from room mates, first time) per {@link SERIES_SLOT_MS} slot of
   * receive time from `sendFromMs`, whatever their send time: matched against server
   * snapshots by time, so CPU and bytes per update stay right when the server lags.
   */
  receivedSeries: number[];
  /** WebSocket messages carrying cursor data, and the cursor entries in them (whole run). */
  frames: number;
  entries: number;
  /** Ours: bytes of the entries of the batches probes received, and how many entries (own included). */
  batchEntryBytes: number;
  batchEntries: number;
  latencyUs: string;
  /** With `urls`: the deliveries whose sender and receiver are on different nodes, and their latency. */
  crossDelivered: number;
  crossLatencyUs: string;
  /** How late the generator sent each update against its fixed schedule. */
  lagUs: string;
  notes: NoteCounts;
}

export interface NoteCounts {
  sent: number;
  acked: number;
  failed: number;
  /** Every other subscriber of the room should get `note:created` for each acked note. */
  broadcastsExpected: number;
  broadcastsReceived: number;
  ackUs: string;
  broadcastUs: string;
}

export interface GeneratorCpu {
  /** Generator process CPU (all threads) over the window, as a fraction of one core. */
  coreFraction: number;
  /** Busiest worker's event-loop utilisation over the window. */
  maxLoopUtilisation: number;
  rss: number;
  heapUsed: number;
}

export interface CursorRun {
  kind: 'cursor';
  counts: CursorCounts;
  generator: GeneratorCpu;
  connectMs: number;
}

export interface IdleRun {
  kind: 'idle';
  connected: number;
  connectMs: number;
  generator: GeneratorCpu;
}

export type OrchestratorToGenerator =
  { type: 'setup'; job: GeneratorJob } | { type: 'start'; schedule: Schedule } | { type: 'stop' };

export type GeneratorToOrchestrator =
  | { type: 'ready'; connected: number; connectMs: number }
  | { type: 'result'; run: CursorRun | IdleRun }
  | { type: 'error'; message: string };

export type MainToWorker =
  { type: 'peers'; peers: [string, number][] } | { type: 'start'; schedule: Schedule } | { type: 'stop' };

export type WorkerToMain =
  | { type: 'ready'; peers: [string, number][] }
  | { type: 'result'; counts: CursorCounts; loopUtilisation: number }
  | { type: 'error'; message: string };

/** Data every worker starts with. */
export interface WorkerInit {
  job: GeneratorJob;
  worker: number;
  /** The users this worker owns: global indices [lo, hi). */
  lo: number;
  hi: number;
  ledger: LedgerBuffers;
}
