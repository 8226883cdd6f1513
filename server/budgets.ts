/**
 * Budgets that one socket, connection, clientId or address cannot reset: token
 * buckets per clientId and per address for every event (sizes in limits.ts), slow
 * per-address allowances for rare costly things (new clientIds, private rooms, admin
 * logins), and the per-address bounds derived from MAX_CONNECTIONS_PER_IP.
 * docs/SECURITY.md lists every value here and the test that proves it.
 */
import type { Limits } from './config.js';
import { addressFactor, BUCKETS, type BucketName } from './limits.js';

/** Where each bucket's level and last refill time sit in a key's state array. */
const BUCKET_SLOT: Record<BucketName, number> = { moves: 0, notes: 2, joins: 4 };
const BUCKET_NAMES = Object.keys(BUCKET_SLOT) as BucketName[];

/** Keys idle this long are looked at for eviction; every bucket refills within 10 s. */
const SWEEP_EVERY_MS = 10_000;

/**
 * Token buckets per key (a clientId, or an address), so that a budget survives the
 * socket that spent it: leaving and re-entering a namespace, reconnecting, or opening
 * more connections draws from the same buckets. A key's three buckets are six
 * numbers in one array, made on its first request. A key whose every bucket has refilled
 * is indistinguishable from a new one, so a sweep at most every 10 s forgets it: the map
 * holds only keys active in the last few seconds. Time comes in as an argument so it is
 * testable without waiting.
 */
export class KeyedBuckets {
  /** Per key, per bucket: tokens left, then the time of the last take (ms); NaN until first used. */
  private readonly state = new Map<string, number[]>();
  private lastSweep = 0;

  /** `scale` multiplies every bucket's rate and burst (RATE_LIMIT_SCALE, times the address factor). */
  constructor(private readonly scale: number) {}

  /** Keys with state, for tests. */
  get size(): number {
    return this.state.size;
  }

  /**
   * Tokens the bucket holds at `now` (after refill), and records the refill. A fresh
   * bucket starts full.
   */
  private level(state: number[], name: BucketName, now: number): number {
    const slot = BUCKET_SLOT[name];
    const rate = BUCKETS[name].rate * this.scale;
    const burst = BUCKETS[name].burst * this.scale;
    const last = state[slot + 1]!;
    const tokens = Number.isNaN(last) ? burst : Math.min(burst, state[slot]! + ((now - last) / 1000) * rate);
    state[slot] = tokens;
    state[slot + 1] = now;
    return tokens;
  }

  private stateOf(key: string, now: number): number[] {
    if (now - this.lastSweep >= SWEEP_EVERY_MS) this.sweep(now);
    let state = this.state.get(key);
    if (!state) {
      state = [NaN, NaN, NaN, NaN, NaN, NaN];
      this.state.set(key, state);
    }
    return state;
  }

  /**
   * Whether the key's bucket could pay `n` tokens now: it holds at least `n`, or is full
   * when `n` is more than the bucket holds (see {@link take}).
   */
  canPay(key: string, name: BucketName, n: number, now: number): boolean {
    const burst = BUCKETS[name].burst * this.scale;
    return this.level(this.stateOf(key, now), name, now) >= Math.min(n, burst);
  }

  /** Takes `n` tokens, which the caller checked with {@link canPay}; the level may go below zero. */
  pay(key: string, name: BucketName, n: number): void {
    const state = this.state.get(key);
    if (state) state[BUCKET_SLOT[name]]! -= n;
  }

  /**
   * Takes `n` tokens (1 by default) from the key's bucket; false, taking nothing, when it
   * cannot pay. A charge bigger than the whole bucket passes only on a full bucket and
   * leaves it in debt: the key then waits until the debt is refilled, so the long-run rate
   * holds whatever the size of one charge.
   */
  take(key: string, name: BucketName, now = performance.now(), n = 1): boolean {
    if (!this.canPay(key, name, n, now)) return false;
    this.pay(key, name, n);
    return true;
  }

  /** Milliseconds until the key's bucket holds `tokens` tokens (its size at most); takes nothing. */
  msUntil(key: string, name: BucketName, tokens: number, now: number): number {
    const state = this.state.get(key);
    const burst = BUCKETS[name].burst * this.scale;
    const have = state ? this.level(state, name, now) : burst;
    const want = Math.min(tokens, burst);
    return have >= want ? 0 : Math.ceil(((want - have) / (BUCKETS[name].rate * this.scale)) * 1000);
  }

  /** Forgets keys whose every bucket is full again. */
  sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, state] of this.state) {
      if (BUCKET_NAMES.every((name) => this.full(state, name, now))) this.state.delete(key);
    }
  }

  private full(state: number[], name: BucketName, now: number): boolean {
    const slot = BUCKET_SLOT[name];
    const last = state[slot + 1]!;
    if (Number.isNaN(last)) return true;
    const burst = BUCKETS[name].burst * this.scale;
    return state[slot]! + ((now - last) / 1000) * BUCKETS[name].rate * this.scale >= burst;
  }
}

/**
 * Every request's budgets: its clientId's buckets and its address's (sized for
 * {@link addressFactor} people). A request passes only when both can pay, and then pays
 * both. Neither a new socket, a reconnect nor a new connection resets them; a new
 * clientId gets fresh clientId buckets but shares its address's (and new clientIds are
 * themselves limited per address, see {@link AddressAllowance}).
 */
export class Budgets {
  readonly byClient: KeyedBuckets;
  readonly byAddress: KeyedBuckets;

  constructor(rateLimitScale: number, addressScale: number) {
    this.byClient = new KeyedBuckets(rateLimitScale);
    this.byAddress = new KeyedBuckets(rateLimitScale * addressScale);
  }

  take(clientId: string, address: string, name: BucketName, n = 1, now = performance.now()): boolean {
    const client = this.byClient.canPay(clientId, name, n, now);
    if (!client || !this.byAddress.canPay(address, name, n, now)) return false;
    this.byClient.pay(clientId, name, n);
    this.byAddress.pay(address, name, n);
    return true;
  }

  /**
   * Milliseconds until both of a request's buckets could pay `tokens` (at most a whole
   * bucket); 0 when they can now. Takes nothing.
   */
  msUntil(
    clientId: string,
    address: string,
    name: BucketName,
    tokens: number,
    now = performance.now(),
  ): number {
    return Math.max(
      this.byClient.msUntil(clientId, name, tokens, now),
      this.byAddress.msUntil(address, name, tokens, now),
    );
  }
}

/**
 * A slow per-address allowance: `burst` at once, then `burst` more per `periodMs`
 * (a token bucket with one number pair per address). For things that are rare for a
 * person and cost the server for long: new clientIds (a stored row each), private rooms
 * (a stored row each), admin logins (a password hash each). Addresses whose bucket is
 * full again are swept at most once a minute, so the map holds only recently active ones.
 */
export class AddressAllowance {
  private readonly state = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    readonly burst: number,
    readonly periodMs: number,
  ) {}

  /** Addresses with state, for tests. */
  get size(): number {
    return this.state.size;
  }

  private levelAt(entry: { tokens: number; at: number }, now: number): number {
    return Math.min(this.burst, entry.tokens + ((now - entry.at) / this.periodMs) * this.burst);
  }

  /** Takes one from the address's allowance; false, taking nothing, when none is left. */
  take(address: string, now = Date.now()): boolean {
    if (now - this.lastSweep >= 60_000) this.sweep(now);
    const entry = this.state.get(address);
    const tokens = entry ? this.levelAt(entry, now) : this.burst;
    if (tokens < 1) return false;
    this.state.set(address, { tokens: tokens - 1, at: now });
    return true;
  }

  /** Gives back one taken by {@link take} (the attempt turned out to cost nothing). */
  refund(address: string, now = Date.now()): void {
    const entry = this.state.get(address);
    if (entry)
      this.state.set(address, { tokens: Math.min(this.burst, this.levelAt(entry, now) + 1), at: now });
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [address, entry] of this.state)
      if (this.levelAt(entry, now) >= this.burst) this.state.delete(address);
  }
}

/** An hour, the period of the per-address allowances. */
export const HOUR_MS = 3_600_000;

/**
 * New clientIds per address: as many as the address may hold connections
 * (MAX_CONNECTIONS_PER_IP, 50 by default) at once, and as many again per hour. A browser
 * profile makes one clientId, once; a household or office NAT never comes near.
 */
export const newIdentities = (limits: Pick<Limits, 'connectionsPerIp'>) =>
  new AddressAllowance(limits.connectionsPerIp, HOUR_MS);

/**
 * Private rooms (`room:create`) per address: 2 per person of the address factor (20 by
 * default) at once, and as many again per hour. Each is a stored row that lives as long as
 * its page's notes; people make one to share a page with a few others.
 */
export const privateRoomCreates = (limits: Pick<Limits, 'connectionsPerIp'>) =>
  new AddressAllowance(Math.ceil(2 * addressFactor(limits)), HOUR_MS);

/**
 * /rooms memberships per address, across all its connections: 10 per person of the
 * address factor (100 by default; a person has a tab or a few per room). Each room held
 * may cost a full path table (MAX_ROOM_PATH_CHARS), so this bounds the room memory one
 * address can make the server hold (docs/SECURITY.md has the figure).
 */
export const roomsPerAddress = (limits: Pick<Limits, 'connectionsPerIp'>) =>
  Math.ceil(10 * addressFactor(limits));

/**
 * Bytes queued for clients that do not read (server/send-queue.ts): MAX_QUEUED_BYTES per
 * connection, and for all connections of an address together 0.4 x that per person of
 * the address factor (16 MiB by default, instead of 50 x 4 MiB), never less than one
 * connection's.
 */
export const queueBounds = (limits: Pick<Limits, 'connectionsPerIp' | 'queuedBytesPerConnection'>) => ({
  perConnection: limits.queuedBytesPerConnection,
  perAddress: Math.max(
    limits.queuedBytesPerConnection,
    Math.round(0.4 * addressFactor(limits) * limits.queuedBytesPerConnection),
  ),
});

/**
 * Admin login attempts per address: 10 at once, then 10 per 10 minutes. Each costs a
 * password hash (in the thread pool, never on the event loop); a refused one costs nothing.
 */
export const adminLogins = () => new AddressAllowance(10, 600_000);
