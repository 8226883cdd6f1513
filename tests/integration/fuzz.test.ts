// Bad-input fuzzing: for every client event of every namespace, at least 1,000 generated
// payloads that must fail (wrong types, missing and extra fields, huge strings, deep
// nesting, __proto__/constructor keys, binary attachments, no ack, before joining), plus
// unknown events. Afterwards the server still answers, every ack was ok:false with a
// listed code, the database is byte-for-byte what it was, and the heap is back near start.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_CODES, type NotesPage, type Result } from '../../protocol/index.js';
import type { EVENT_BUCKETS } from '../../server/limits.js';
import { DB_FILE } from '../../server/store/sqlite-store.js';
import { ask, makeAuth, raw, type RawClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PER_EVENT = 1000;
const PAGE = 'https://example.com/fuzz';
const ROOM = 'public|' + PAGE;
const CURSOR = { x: 0.5, y: 0.5, anchor: { path: 'body > p', fx: 0.1, fy: 0.2 } };
const ANCHOR = { selectors: [{ type: 'TextQuoteSelector', exact: 'words' }] };

type Kind = 'string' | 'number' | 'object' | 'boolean';
interface Spec {
  namespace: '/rooms' | '/notes';
  base: Record<string, unknown>;
  /** Required fields and their kinds: replacing or deleting one must make the payload invalid. */
  required: Record<string, Kind>;
  /** Optional fields with a kind: a wrong type there is invalid too. */
  optional?: Record<string, Kind>;
  /** A well-formed payload still fails on a fresh socket (not joined or subscribed). */
  refusedWhenValid: boolean;
}

const SPECS: Record<keyof typeof EVENT_BUCKETS, Spec> = {
  'room:join': {
    namespace: '/rooms',
    base: { page: PAGE },
    required: { page: 'string' },
    optional: { channel: 'string', key: 'string' },
    refusedWhenValid: false,
  },
  'room:create': {
    namespace: '/rooms',
    base: { page: PAGE },
    required: { page: 'string' },
    refusedWhenValid: false,
  },
  'room:leave': {
    namespace: '/rooms',
    base: { room: ROOM },
    required: { room: 'string' },
    refusedWhenValid: false,
  },
  'room:list': {
    namespace: '/rooms',
    base: { page: PAGE },
    required: { page: 'string' },
    refusedWhenValid: false,
  },
  'presence:update': {
    namespace: '/rooms',
    base: { room: ROOM, idle: true },
    required: { room: 'string' },
    optional: { idle: 'boolean', name: 'string', color: 'string' },
    refusedWhenValid: true,
  },
  'cursor:move': {
    namespace: '/rooms',
    base: { room: ROOM, cursor: CURSOR },
    required: { room: 'string', cursor: 'object' },
    refusedWhenValid: true,
  },
  'cursor:hide': {
    namespace: '/rooms',
    base: { room: ROOM },
    required: { room: 'string' },
    refusedWhenValid: true,
  },
  'notes:subscribe': {
    namespace: '/notes',
    base: { room: ROOM },
    required: { room: 'string' },
    optional: { key: 'string' },
    refusedWhenValid: false,
  },
  'notes:page': {
    namespace: '/notes',
    base: { room: ROOM, after: '1' },
    required: { room: 'string', after: 'string' },
    refusedWhenValid: true,
  },
  'notes:unsubscribe': {
    namespace: '/notes',
    base: { room: ROOM },
    required: { room: 'string' },
    refusedWhenValid: false,
  },
  'note:create': {
    namespace: '/notes',
    base: { room: ROOM, opId: 'fuzz-op-0001', anchor: ANCHOR, body: 'hi' },
    required: { room: 'string', opId: 'string', anchor: 'object', body: 'string' },
    optional: { color: 'string', parentId: 'string' },
    refusedWhenValid: true,
  },
  'note:update': {
    namespace: '/notes',
    base: { room: ROOM, id: 'n1', version: 1, body: 'hi' },
    required: { room: 'string', id: 'string', version: 'number', body: 'string' },
    refusedWhenValid: true,
  },
  'note:delete': {
    namespace: '/notes',
    base: { room: ROOM, id: 'n1', version: 1 },
    required: { room: 'string', id: 'string', version: 'number' },
    refusedWhenValid: true,
  },
  'notes:export': {
    namespace: '/notes',
    base: { room: ROOM },
    required: { room: 'string' },
    optional: { after: 'string' },
    refusedWhenValid: true,
  },
  'notes:import': {
    namespace: '/notes',
    base: { room: ROOM, collection: {} },
    required: { room: 'string' },
    refusedWhenValid: true,
  },
};

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deep(depth: number, leaf: unknown, asArray: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

const HUGE = 'x'.repeat(40_000);
const JUNK: unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  true,
  false,
  [],
  {},
  [1, 2, 3],
  Buffer.from([0, 1, 2, 255]),
  deep(300, 1, false),
  deep(300, 'x', true),
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { constructor: { prototype: { polluted: true } } },
];

/** Values that can never pass as `kind`. */
function wrongFor(kind: Kind, pick: <T>(list: T[]) => T): unknown {
  const candidates = JUNK.filter((value) => {
    switch (kind) {
      case 'string':
        return typeof value !== 'string';
      case 'number':
        return typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1e15;
      case 'boolean':
        return typeof value !== 'boolean';
      case 'object':
        return true;
    }
  });
  if (kind === 'string' && pick([true, false])) return HUGE;
  if (kind === 'object') return pick([...candidates, 'a string', HUGE]);
  return pick(candidates);
}

/** One payload for `spec` that the server must refuse, and whether to send it without an ack. */
function badPayload(spec: Spec, rand: () => number): unknown {
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)]!;
  const shape = rand();
  if (shape < 0.12) return pick([...JUNK, HUGE, undefined, 'page', 42]);
  const payload: Record<string, unknown> = structuredClone(spec.base);
  const required = Object.keys(spec.required);
  if (shape < 0.3) {
    delete payload[pick(required)];
  } else if (shape < 0.85 || !spec.refusedWhenValid) {
    const fields = { ...spec.required, ...spec.optional };
    const field = pick(Object.keys(fields));
    payload[field] = wrongFor(fields[field]!, pick);
  }
  // Extra fields ride along on every shape: prototype keys, junk, binary attachments.
  const extras = Math.floor(rand() * 3);
  for (let i = 0; i < extras; i++) {
    const key = pick(['__proto__', 'constructor', 'prototype', 'toString', 'extra', 'room2']);
    Object.defineProperty(payload, key, {
      value: pick(JUNK),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return payload;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_SCALE: '100000' } });
});
afterAll(() => server.dispose());

function dumpDb(dataDir: string): string {
  const db = new Database(join(dataDir, DB_FILE), { readonly: true });
  try {
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all();
    return JSON.stringify(
      tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]),
    );
  } finally {
    db.close();
  }
}

it('survives 1,000+ bad payloads per event and changes nothing', async () => {
  // A note of someone else already in the room, so ids in the payloads may hit a real one.
  const owner = await server.notes();
  await ask(owner, 'notes:subscribe', { room: ROOM });
  await ask(owner, 'note:create', { room: ROOM, opId: 'seed-op-0001', anchor: ANCHOR, body: 'seed' });
  owner.close();
  const normalAuth = makeAuth();
  const clients = { '/rooms': raw(await server.rooms()), '/notes': raw(await server.notes()) };
  await server.notes(normalAuth);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const dbBefore = dumpDb(server.dataDir);
  const started = performance.now();

  const rand = prng(5);
  const codes = new Map<string, number>();
  let sent = 0;
  let acked = 0;
  const send = async (client: RawClient, event: string, payload: unknown, withAck: boolean) => {
    sent++;
    if (!withAck) {
      client.emit(event, payload);
      return;
    }
    const result = (await client.timeout(10_000).emitWithAck(event, payload)) as Result<unknown>;
    acked++;
    const code = result.ok ? 'ok' : result.error.code;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (result.ok) throw new Error(`${event} accepted ${JSON.stringify(payload)?.slice(0, 200)}`);
  };

  for (const [event, spec] of Object.entries(SPECS)) {
    const client = clients[spec.namespace];
    // Fire-and-forget events take no ack: one sent with an ack is refused (invalid) anyway.
    for (let batch = 0; batch < PER_EVENT; batch += 250) {
      await Promise.all(
        Array.from({ length: 250 }, () => send(client, event, badPayload(spec, rand), rand() > 0.1)),
      );
    }
    // Events that do not exist in this namespace, or at all.
    await Promise.all(
      ['nope', '__proto__', 'constructor', 'hasOwnProperty', event + 'x'].map((name) =>
        send(client, name, spec.base, true),
      ),
    );
  }
  // Binary attachments as whole arguments, and several arguments.
  await send(clients['/notes'], 'note:create', Buffer.alloc(1024), true);
  clients['/rooms'].emit('room:join', { page: PAGE }, Buffer.from('x'), 3);

  const elapsed = performance.now() - started;
  // Still answering, and nothing changed in the database.
  const normal = raw(await server.notes(normalAuth));
  const answer = (await ask(normal as never, 'notes:subscribe', { room: ROOM })) as Result<NotesPage>;
  expect(answer.ok && answer.value.notes.length).toBe(1);
  expect(clients['/rooms'].connected && clients['/notes'].connected).toBe(true);
  expect(dumpDb(server.dataDir)).toBe(dbBefore);
  expect([...codes.keys()].every((code) => (ERROR_CODES as readonly string[]).includes(code))).toBe(true);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(sent).toBeGreaterThanOrEqual(Object.keys(SPECS).length * PER_EVENT);

  for (const client of Object.values(clients)) client.close();
  normal.close();
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  process.stderr.write(
    `fuzz: ${sent} payloads (${acked} acked: ${JSON.stringify(Object.fromEntries(codes))}) in ${Math.round(elapsed)} ms; ` +
      `heap ${(heapBefore / 1e6).toFixed(1)} MB -> ${(heapAfter / 1e6).toFixed(1)} MB\n`,
  );
  expect(heapAfter - heapBefore).toBeLessThan(16e6);
});
