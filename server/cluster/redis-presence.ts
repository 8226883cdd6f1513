/**
 * Cluster-wide presence in Redis (several-node mode). RoomState keeps this node's own sockets;
 * Redis keeps, per room, every node's peers with a seat per node refreshed every
 * {@link refreshEveryMs} (presence-scripts.ts). A node that dies stops refreshing; within
 * {@link staleAfterMs} its seats are stale, and the first node to sweep that room announces
 * each of its peers as left, once. A node that could not reach Redis answers from its own
 * sockets and, once Redis is back (even restarted empty), puts its peers back by itself.
 */
import { createHash } from 'node:crypto';
import { parseRoomId, type Peer, type RoomSummary } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { RoomAddress } from '../room-access.js';
import type { Arrival, JoinRequest, PresenceStore } from '../rooms/presence-store.js';
import { MAX_ROOM_PATH_CHARS, MAX_ROOM_PATHS } from '../cursors/encode-packed.js';
import type { LeaveOutcome } from '../rooms/room-state.js';
import type { ClusterRoomState, LocalRoom } from './cluster-room-state.js';
import { ARRIVE, DEPART, LIST, MEMBERS, NUMBER_PATH, REFRESH, SWEEP, UPDATE } from './presence-scripts.js';
import { REDIS_COMMAND_TIMEOUT_MS, type RedisLink } from './redis-link.js';

const PREFIX = 'cp:r:';
const COUNTER = 'cp:roomno';
/** Redis's "script not cached" error: after a restart its script cache is empty. */
const NOSCRIPT = /NOSCRIPT/;

/** A seat not refreshed for half the presence TTL belongs to a node that is gone. */
export const staleAfterMs = (ttlMs: number): number => Math.max(300, Math.round(ttlMs / 2));
/** Each node refreshes its seats (and sweeps its rooms) six times per presence TTL. */
export const refreshEveryMs = (ttlMs: number): number => Math.max(50, Math.round(ttlMs / 6));

/**
 * How long after Redis returns a node mends what its people missed: every node puts its
 * peers back as soon as it sees Redis again (reconnects are at most a second apart), so a
 * few seconds later Redis holds everyone still there. A node that died meanwhile is never
 * put back (its people are mended as left), or its stale seats are swept as usual.
 */
export const MEND_AFTER_MS = 3_000;

/** What the rooms namespace must announce after a refresh or a sweep. */
export interface PresenceEvents {
  /** Another node's peer is gone (its node stopped refreshing): tell the room, once. */
  departed(room: string, peerId: string): void;
  /** Redis had lost this node's peer (an empty restart, an outage): tell the room again. */
  returned(room: string, peer: Peer): void;
  /**
   * After an outage, what this node's people were not told (events lost while Redis was away):
   * for this node's sockets only, every node mends its own.
   */
  mended(room: string, joined: Peer[], left: string[]): void;
  /**
   * The room's packed number here became the cluster's (it was numbered by this node while
   * Redis was away, or Redis numbered it anew): this node's packed sockets must learn it.
   */
  renumbered(room: string, roomNo: number): void;
}

type Reply = string | number | null | Reply[];

class Script {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

const scripts = {
  arrive: new Script(ARRIVE),
  depart: new Script(DEPART),
  update: new Script(UPDATE),
  sweep: new Script(SWEEP),
  refresh: new Script(REFRESH),
  numberPath: new Script(NUMBER_PATH),
  list: new Script(LIST),
  members: new Script(MEMBERS),
};

const keysOf = (room: string) => {
  const base = PREFIX + room;
  return {
    m: base + ':m',
    s: base + ':s',
    h: base + ':h',
    meta: base + ':meta',
    p: base + ':p',
    f: base + ':f',
  };
};
const pageKey = (page: string) => 'cp:page:' + page;

export class RedisPresenceStore implements PresenceStore {
  private readonly timer: NodeJS.Timeout;
  private readonly staleMs: number;
  private readonly keyTtlMs: number;
  /** Paths asked of Redis and not answered yet, or refused (past the room's limits). */
  private readonly pathsAsked = new Set<string>();
  private refreshing = false;
  private readonly unsubscribe: () => void;
  events: PresenceEvents = {
    departed: () => undefined,
    returned: () => undefined,
    mended: () => undefined,
    renumbered: () => undefined,
  };
  /**
   * Per room with people here, the peers they were told of (join acks, presence events from
   * any node): after an outage it is compared with Redis, and the difference told.
   */
  private readonly told = new Map<string, Set<string>>();
  private mendTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly state: ClusterRoomState,
    private readonly link: RedisLink,
    private readonly nodeId: string,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {
    this.staleMs = staleAfterMs(ttlMs);
    this.keyTtlMs = Math.max(60_000, ttlMs * 4);
    this.timer = setInterval(() => void this.refresh(), refreshEveryMs(ttlMs));
    this.timer.unref();
    // Back from an outage: put this node's peers back now rather than at the next tick.
    this.unsubscribe = link.onChange((state) => {
      if (state !== 'up') return;
      void this.refresh();
      if (this.mendTimer) clearTimeout(this.mendTimer);
      this.mendTimer = setTimeout(() => void this.mend(), MEND_AFTER_MS);
      this.mendTimer.unref();
    });
  }

  join(request: JoinRequest): Promise<Arrival> {
    const { room, address, socketId, peer, format, now, remote } = request;
    const { m, s, h, meta, p, f } = keysOf(room);
    const json = JSON.stringify({ id: peer.id, name: peer.name, color: peer.color, idle: peer.idle });
    const formats = this.state.formatsOf(room, format);
    const askedAt = performance.now();
    return this.run(
      scripts.arrive,
      [m, s, h, meta, p, pageKey(address.page), COUNTER, f],
      [peer.id, this.nodeId, json, room, String(this.keyTtlMs), formats],
    ).then(
      (reply) => {
        const [roomNo, arrived, self, others, count, ...rest] = reply as [
          number,
          number,
          string,
          string,
          number,
          ...string[],
        ];
        const members = rest.slice(0, count).map((member) => JSON.parse(member) as Peer & { no: number });
        const paths: Array<[number, string]> = [];
        for (let i = count; i + 1 < rest.length; i += 2) paths.push([Number(rest[i + 1]), String(rest[i])]);
        const numbered = JSON.parse(self) as Peer & { no: number };
        const before = this.state.roomNo(room);
        this.state.join(room, address, socketId, numbered, format, now, remote, {
          peerNo: numbered.no,
          roomNo,
        });
        if (before !== null && before !== roomNo) this.events.renumbered(room, roomNo);
        this.state.knowPaths(room, paths);
        this.state.setRemoteFormats(room, String(others), askedAt);
        const peers = members.filter((member) => member.id !== peer.id);
        return { self: numbered, peers, arrived: arrived === 1, roomNo };
      },
      (error: unknown) => {
        // Redis away: this node's own people still see each other; the refresh tells Redis later.
        this.logger.debug({ err: error }, 'presence join answered locally');
        const joined = this.state.join(room, address, socketId, peer, format, now, remote);
        return { ...joined, self: joined.self as Arrival['self'] };
      },
    );
  }

  leave(room: string, socketId: string): LeaveOutcome | null | Promise<LeaveOutcome | null> {
    const left = this.state.leave(room, socketId);
    // Another socket of the peer stays on this node: nothing changes for the cluster.
    if (!left?.departed) return left;
    const { m, s, h } = keysOf(room);
    return this.run(scripts.depart, [m, s, h], [left.peerId, this.nodeId]).then(
      (reply) => ({ ...left, departed: reply === 1 }),
      // This node's sockets must hear of it; the other nodes sweep the seat once Redis is back.
      () => left,
    );
  }

  update(room: string, peerId: string, patch: Partial<Omit<Peer, 'id' | 'no'>>) {
    const updated = this.state.updatePeer(room, peerId, patch);
    if (updated?.changed) {
      this.run(scripts.update, [keysOf(room).m], [peerId, JSON.stringify(updated.peer)]).catch(
        (error: unknown) => this.logger.debug({ err: error }, 'presence update not stored'),
      );
    }
    return updated;
  }

  list(page: string): Promise<Array<RoomSummary & RoomAddress>> {
    return this.run(scripts.list, [pageKey(page)], [String(this.staleMs), PREFIX]).then(
      (reply) => {
        const flat = reply as Array<string | number>;
        const summaries: Array<RoomSummary & RoomAddress> = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const room = String(flat[i]);
          const address = parseRoomId(room);
          if (address) summaries.push({ room, ...address, count: Number(flat[i + 1]) });
        }
        return summaries;
      },
      () => this.state.summaries(page),
    );
  }

  /** RoomState's path hook: numbers `path` in `room` for the whole cluster. */
  numberPath(room: string, path: string): void {
    const key = room + '\0' + path;
    if (this.pathsAsked.has(key)) return;
    // Refused paths stay here so they are not asked again; bounded like a room's path table.
    if (this.pathsAsked.size >= MAX_ROOM_PATHS * 16) this.pathsAsked.clear();
    this.pathsAsked.add(key);
    const { p, meta } = keysOf(room);
    this.run(
      scripts.numberPath,
      [p, meta],
      [path, String(MAX_ROOM_PATHS), String(MAX_ROOM_PATH_CHARS), String(this.keyTtlMs)],
    ).then(
      (no) => {
        if (typeof no === 'number' && no > 0) {
          this.pathsAsked.delete(key);
          this.state.addPath(room, path, no);
        }
      },
      // Asked again with the next cursor that uses it.
      () => this.pathsAsked.delete(key),
    );
  }

  /**
   * Someone joined the room on another node, and this node assumes both cursor formats until
   * it knows theirs: asks now (their join stored it) instead of waiting for the next refresh,
   * so the ticks until then do not encode and publish a format nobody takes.
   */
  learnFormats(room: string): void {
    const askedAt = performance.now();
    this.link.pub.sendCommand(['HGETALL', keysOf(room).f]).then(
      (reply) => {
        // A flat field, value list (RESP2, the link's protocol).
        const all = Array.isArray(reply) ? (reply as unknown[]).map(String) : [];
        let others = '';
        for (let i = 0; i + 1 < all.length; i += 2) if (all[i] !== this.nodeId) others += all[i + 1];
        this.state.setRemoteFormats(room, others, askedAt);
      },
      // Both formats stay assumed until the next refresh.
      (error: unknown) => this.logger.debug({ err: error }, 'cursor formats not learnt'),
    );
  }

  /** The room's people were told that `peerId` is there (`present`) or gone. */
  heard(room: string, peerId: string, present: boolean): void {
    let peers = this.told.get(room);
    if (!peers) {
      if (!present || this.state.roomNo(room) === null) return;
      peers = new Set();
      this.told.set(room, peers);
    }
    if (present) peers.add(peerId);
    else peers.delete(peerId);
  }

  close(): void {
    clearInterval(this.timer);
    if (this.mendTimer) clearTimeout(this.mendTimer);
    this.unsubscribe();
  }

  /** Tells this node's people what they missed while Redis was away, room by room. */
  private async mend(): Promise<void> {
    this.mendTimer = null;
    for (const room of [...this.told.keys()]) {
      if (this.state.roomNo(room) === null) {
        this.told.delete(room);
        continue;
      }
      try {
        const reply = (await this.run(scripts.members, [keysOf(room).m], [])) as string[];
        const members = reply.map((json) => JSON.parse(String(json)) as Peer);
        const told = this.told.get(room) ?? new Set<string>();
        const joined = members.filter((peer) => !told.has(peer.id));
        const present = new Set(members.map((peer) => peer.id));
        const left = [...told].filter((peerId) => !present.has(peerId));
        if (joined.length > 0 || left.length > 0) this.events.mended(room, joined, left);
        this.told.set(room, present);
      } catch (error) {
        this.logger.debug({ err: error }, 'presence mend failed');
      }
    }
  }

  /**
   * Renews this node's seats and puts back what Redis lost, then sweeps the rooms this node
   * is in for other nodes' stale seats. Rooms without anyone here are not this node's to
   * sweep: nobody here would hear of it, and `room:list` counts fresh seats only.
   */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.link.state() !== 'up') return;
    this.refreshing = true;
    try {
      const rooms = this.state.localRooms(Date.now(), this.ttlMs);
      // What this node's people were told is kept only while it has people there.
      for (const room of this.told.keys()) if (this.state.roomNo(room) === null) this.told.delete(room);
      await Promise.all(rooms.map((local) => this.refreshRoom(local)));
      await Promise.all(rooms.map(({ room }) => this.sweepRoom(room)));
    } catch (error) {
      this.logger.debug({ err: error }, 'presence refresh failed');
    } finally {
      this.refreshing = false;
    }
  }

  private async refreshRoom(local: LocalRoom): Promise<void> {
    const { m, s, h, meta, p, f } = keysOf(local.room);
    const askedAt = performance.now();
    const reply = (await this.run(
      scripts.refresh,
      [m, s, h, meta, pageKey(local.page), COUNTER, p, f],
      [
        this.nodeId,
        local.room,
        String(local.roomNo),
        String(local.maxPathNo),
        String(this.keyTtlMs),
        this.state.formatsOf(local.room),
        ...local.peers.map((peer) => JSON.stringify(peer)),
      ],
    )) as [number, string, ...string[]];
    // Redis keeps the first number a node gave it; a node that numbered the room otherwise
    // (both opened it while Redis was away) takes that one, so packed batches cross again.
    if (this.state.renumberRoom(local.room, Number(reply[0])))
      this.events.renumbered(local.room, Number(reply[0]));
    this.state.setRemoteFormats(local.room, String(reply[1]), askedAt);
    for (const json of reply.slice(2)) {
      const peer = JSON.parse(String(json)) as Peer & { no: number };
      const mine = this.state.memberOf(local.room, peer.id);
      if (mine && mine.no !== peer.no) this.state.renumber(local.room, peer.id, peer.no);
      this.events.returned(local.room, this.state.memberOf(local.room, peer.id) ?? peer);
    }
  }

  private async sweepRoom(room: string): Promise<void> {
    const { m, s, h } = keysOf(room);
    const left = (await this.run(scripts.sweep, [m, s, h], [String(this.staleMs)])) as string[];
    for (const peerId of left) {
      // Swept while this node still holds it (a long stall): the next refresh puts it back.
      this.events.departed(room, peerId);
    }
  }

  /** {@link evaluate}, failed after REDIS_COMMAND_TIMEOUT_MS (the node answers locally then). */
  private run(script: Script, keys: string[], args: string[]): Promise<Reply> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('redis did not answer in time')), REDIS_COMMAND_TIMEOUT_MS);
    });
    return Promise.race([this.evaluate(script, keys, args), late]).finally(() => clearTimeout(timer));
  }

  /** EVALSHA, or EVAL when Redis does not have the script (first use, or after a restart). */
  private async evaluate(script: Script, keys: string[], args: string[]): Promise<Reply> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return (await this.link.pub.sendCommand(['EVALSHA', script.sha, ...tail])) as Reply;
    } catch (error) {
      if (!(error instanceof Error) || !NOSCRIPT.test(error.message)) throw error;
      return (await this.link.pub.sendCommand(['EVAL', script.source, ...tail])) as Reply;
    }
  }
}
