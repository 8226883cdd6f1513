/**
 * Proposed server changes, applied to our server at run time so they can be measured
 * before anyone edits server/ (the target `ours-next`, `--experiments a,b`). Each one is
 * a sketch of a hot-path change with the smallest client-side counterpart the load
 * generator needs; none of it ships. Names:
 *
 * - `release-request`: drop Engine.IO's reference to the HTTP upgrade request once the
 *   connection is set up (Socket.IO's memory-usage advice), so each idle connection
 *   no longer retains the request, its headers and its socket parser state.
 * - `single-broadcast`: one `cursor:batch` per room per tick to every member, built and
 *   framed once by Socket.IO; each client drops its own entry by peer id, instead of one
 *   extra, separately encoded batch per sender.
 * - `compact`: `single-broadcast` with a compact batch: `[roomNo, n1, x1, y1, n2, ...]`,
 *   small per-room peer numbers and positions as integers in 1/10000 (the precision the
 *   extension already rounds to); numbers are announced once with `cursor:peers`.
 */
import type { Server } from 'socket.io';
import type { CursorEntry } from '../../protocol/index.js';
import { CursorFlusher } from '../../server/rooms/cursor-flusher.js';
import type { CursorFlush } from '../../server/rooms/room-state.js';

export const EXPERIMENTS = ['release-request', 'single-broadcast', 'compact'] as const;
export type Experiment = (typeof EXPERIMENTS)[number];

/** Batch payload of the `compact` experiment: room number, then (peer number, x, y) triples. */
export type CompactBatch = number[];
/** Announcement of the `compact` experiment: the room's number and peer numbers. */
export interface CompactPeers {
  room: string;
  roomNo: number;
  peers: [number, string][];
}

/** Position scale of the compact encoding; -1 marks a hidden cursor. */
export const COMPACT_SCALE = 10_000;

/** The parts of the flusher an experiment replaces or reads (private in TypeScript, plain at run time). */
interface FlusherInternals {
  nsp: {
    to(room: string): Emitter;
    sockets: Map<string, { emit(event: string, payload: unknown): void }>;
  };
  send(flush: CursorFlush): void;
}

interface Emitter {
  except(ids: string[]): Emitter;
  volatile: Emitter;
  emit(event: string, payload: unknown): void;
}

export function parseExperiments(value: string | undefined): Experiment[] {
  if (!value) return [];
  return value.split(',').map((name) => {
    const trimmed = name.trim();
    if (!(EXPERIMENTS as readonly string[]).includes(trimmed)) {
      throw new Error(`unknown experiment "${trimmed}"; expected ${EXPERIMENTS.join(', ')}`);
    }
    return trimmed as Experiment;
  });
}

function snapshotsFirst(self: FlusherInternals, flush: CursorFlush): void {
  // As the real flusher: newcomers get every current cursor once, reliably.
  for (const [socketId, cursors] of flush.snapshots) {
    if (cursors.length > 0)
      self.nsp.sockets.get(socketId)?.emit('cursor:batch', { room: flush.room, cursors });
  }
}

function singleBroadcast(self: FlusherInternals, flush: CursorFlush): void {
  if (flush.changed.length > 0) {
    self.nsp
      .to(flush.room)
      .except([...flush.snapshots.keys()])
      .volatile.emit('cursor:batch', { room: flush.room, cursors: flush.changed });
  }
  snapshotsFirst(self, flush);
}

/** Per-room numbering for `compact`. */
const roomNumbers = new Map<string, { roomNo: number; peers: Map<string, number> }>();

function compactBroadcast(self: FlusherInternals, flush: CursorFlush): void {
  let numbering = roomNumbers.get(flush.room);
  if (!numbering) {
    numbering = { roomNo: roomNumbers.size + 1, peers: new Map() };
    roomNumbers.set(flush.room, numbering);
  }
  const fresh: [number, string][] = [];
  const numberOf = (entry: CursorEntry) => {
    let n = numbering.peers.get(entry.peerId);
    if (n === undefined) {
      n = numbering.peers.size + 1;
      numbering.peers.set(entry.peerId, n);
      fresh.push([n, entry.peerId]);
    }
    return n;
  };
  const payload: CompactBatch = [numbering.roomNo];
  for (const entry of flush.changed) {
    const n = numberOf(entry);
    if (entry.cursor) {
      payload.push(n, Math.round(entry.cursor.x * COMPACT_SCALE), Math.round(entry.cursor.y * COMPACT_SCALE));
    } else {
      payload.push(n, -1, -1);
    }
  }
  // New numbers go out reliably before the volatile batch that first uses them.
  if (fresh.length > 0) {
    const peers: CompactPeers = { room: flush.room, roomNo: numbering.roomNo, peers: fresh };
    self.nsp.to(flush.room).emit('cursor:peers', peers);
  }
  for (const socketId of flush.snapshots.keys()) {
    const all: CompactPeers = {
      room: flush.room,
      roomNo: numbering.roomNo,
      peers: [...numbering.peers].map(([peerId, n]) => [n, peerId]),
    };
    self.nsp.sockets.get(socketId)?.emit('cursor:peers', all);
  }
  if (flush.changed.length > 0) {
    self.nsp
      .to(flush.room)
      .except([...flush.snapshots.keys()])
      .volatile.emit('cursor:batch', payload);
  }
  snapshotsFirst(self, flush);
}

/** Applies the experiments to our server: call after createApp, before listen. */
export function applyExperiments(io: Server, experiments: Experiment[]): void {
  if (experiments.includes('release-request')) {
    // Registered after the server's own listeners, so they have read the request by now.
    io.engine.on('connection', (conn: { request: unknown }) => {
      conn.request = null;
    });
  }
  const proto = CursorFlusher.prototype as unknown as FlusherInternals;
  if (experiments.includes('compact')) {
    proto.send = function (this: FlusherInternals, flush: CursorFlush) {
      compactBroadcast(this, flush);
    };
  } else if (experiments.includes('single-broadcast')) {
    proto.send = function (this: FlusherInternals, flush: CursorFlush) {
      singleBroadcast(this, flush);
    };
  }
}
