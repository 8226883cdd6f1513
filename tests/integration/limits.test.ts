// Abuse limits: allowed origins, connections per address, token buckets, rooms per socket,
// input sizes, unknown events, and volatile cursor batches dropped (not queued) for a client
// that stops reading.
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CursorBatch, Result } from '../../protocol/index.js';
import { KeyedBuckets } from '../../server/budgets.js';
import { ADMIN_UI_ORIGIN, type BucketName } from '../../server/limits.js';
import { POLLING_VOLATILE_QUEUE } from '../../server/polling-bounds.js';
import { chargeTokens, socketAddress } from '../../server/socket-guard.js';
import {
  ask,
  connectNotes,
  connectRooms,
  handshakeError,
  makeAuth,
  refusedMessage,
  TRANSPORTS,
  transportOptions,
  useTransport,
  type NotesClient,
} from '../support/clients.js';
import { stalledPollingClient } from '../support/polling-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const ROOM = 'public|' + PAGE;

const codeOf = (result: unknown) => {
  const r = result as Result<unknown>;
  return r.ok ? 'ok' : r.error.code;
};

/** The value of one sample line of GET /metrics, 0 when absent. */
async function metric(server: TestServer, line: string): Promise<number> {
  const text = await (await fetch(server.url + '/metrics')).text();
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

let server: TestServer;
afterEach(() => server.dispose());

// Every limit holds on both transports: long-polling is the fallback where WebSocket is
// blocked (issue 15), and a client may pick it on purpose.
describe.each(TRANSPORTS)('over %s', (transport) => {
  beforeEach(() => useTransport(transport));
  afterEach(() => useTransport('websocket'));

  describe('allowed origins', () => {
    it('by default admits browser extensions and clients without an Origin, and refuses web pages', async () => {
      server = await startTestServer();
      for (const origin of ['chrome-extension://abcdefghijklmnop', 'moz-extension://1234-5678']) {
        await expect(handshakeError(server.url, '/rooms', makeAuth(), { origin })).rejects.toThrow(
          'the handshake was accepted',
        );
      }
      await expect(handshakeError(server.url, '/notes', makeAuth())).rejects.toThrow(
        'the handshake was accepted',
      );
      for (const origin of ['https://evil.example', 'null', 'chrome-extension://x/path']) {
        const refused = await handshakeError(server.url, '/rooms', makeAuth(), { origin });
        expect(refused.message).toBe(refusedMessage());
      }
      // Long-polling is checked on the same handshake, and CORS tells the page no: a page's
      // fetch() could not read the answer even if it got one.
      const handshake = (origin: string, method = 'GET') =>
        fetch(server.url + '/socket.io/?EIO=4&transport=polling', {
          method,
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const refusedPage = await handshake('https://evil.example');
      expect(refusedPage.status).toBe(403);
      expect(refusedPage.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await handshake('https://evil.example', 'OPTIONS');
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      // The extension's service worker polls by fetch() from its origin: a CORS request the
      // server answers for that origin only (the extension has no host permission for it).
      for (const origin of ['chrome-extension://abcdefghijklmnop', 'moz-extension://1234-5678']) {
        const admitted = await handshake(origin);
        expect(admitted.status).toBe(200);
        expect(admitted.headers.get('access-control-allow-origin')).toBe(origin);
        expect(admitted.headers.get('access-control-allow-credentials')).toBeNull();
      }
    });

    it('admits any origin with ALLOWED_ORIGINS=*', async () => {
      server = await startTestServer({ env: { ALLOWED_ORIGINS: '*' } });
      await expect(
        handshakeError(server.url, '/rooms', makeAuth(), { origin: 'https://example.com' }),
      ).rejects.toThrow('the handshake was accepted');
    });

    it('admits the hosted admin UI origin only while the admin namespace is on, and to /admin only', async () => {
      server = await startTestServer();
      const refused = await handshakeError(server.url, '/rooms', makeAuth(), { origin: ADMIN_UI_ORIGIN });
      expect(refused.message).toBe(refusedMessage());
      await server.dispose();
      server = await startTestServer({ env: { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct horse battery' } });
      // The connection is admitted, the namespaces of the extension are not (operations.test.ts: /admin is).
      expect(
        (await handshakeError(server.url, '/rooms', makeAuth(), { origin: ADMIN_UI_ORIGIN })).message,
      ).toBe('forbidden');
    });
  });

  describe('connections per address', () => {
    it('refuses a connection over MAX_CONNECTIONS_PER_IP and admits one again after a close', async () => {
      server = await startTestServer({ env: { MAX_CONNECTIONS_PER_IP: '3' } });
      const first = makeAuth();
      const sockets = [await server.rooms(first), await server.rooms(), await server.notes()];
      const refused = await handshakeError(server.url, '/rooms', makeAuth());
      expect(refused.message).toBe(refusedMessage());
      const serverSide = server.app.io.of('/rooms').sockets.get(sockets[0]!.id!)!;
      // Many polling sessions from one address count like WebSockets.
      expect(serverSide.conn.transport.name).toBe(transport);
      const disconnected = new Promise<void>((resolve) => serverSide.conn.once('close', () => resolve()));
      sockets[0]!.close();
      await disconnected;
      // The same browser comes back (a new clientId is limited on its own, handshake.test.ts).
      await expect(connectRooms(server.url, first)).resolves.toBeTruthy();
    });
  });

  describe('behind a reverse proxy (TRUSTED_PROXIES)', () => {
    const clients: Socket[] = [];
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
    });
    /** A connection through a proxy on this host that says it forwards for `forwardedFor`. */
    const via = async (forwardedFor: string): Promise<Socket> => {
      const client = connect(`${server.url}/rooms`, {
        auth: makeAuth(),
        ...transportOptions(),
        forceNew: true,
        reconnection: false,
        extraHeaders: { 'x-forwarded-for': forwardedFor },
      });
      clients.push(client);
      await Promise.race([
        once(client, 'connect'),
        once<Error>(client, 'connect_error').then((error) => {
          throw error;
        }),
      ]);
      return client;
    };
    const addressSeen = (client: Socket) =>
      socketAddress(server.app.io.of('/rooms').sockets.get(client.id!)!);

    it('caps connections per forwarded client address, and keys budgets by it', async () => {
      server = await startTestServer({ env: { TRUSTED_PROXIES: '127.0.0.1', MAX_CONNECTIONS_PER_IP: '2' } });
      const first = await via('203.0.113.5');
      await via('203.0.113.5');
      await expect(via('203.0.113.5')).rejects.toThrow(refusedMessage());
      // Someone else behind the same proxy is not counted with them.
      const other = await via('203.0.113.6');
      expect([addressSeen(first), addressSeen(other)]).toEqual(['203.0.113.5', '203.0.113.6']);
    });

    it('believes only the entry the proxy appended, not what the client wrote before it', async () => {
      server = await startTestServer({ env: { TRUSTED_PROXIES: '127.0.0.1', MAX_CONNECTIONS_PER_IP: '2' } });
      const spoofed = await via('198.51.100.1, 203.0.113.5');
      expect(addressSeen(spoofed)).toBe('203.0.113.5');
    });

    it('ignores the header from a peer that is not a trusted proxy', async () => {
      server = await startTestServer({ env: { MAX_CONNECTIONS_PER_IP: '2' } });
      const first = await via('203.0.113.5');
      await via('203.0.113.6');
      await expect(via('203.0.113.7')).rejects.toThrow(refusedMessage());
      expect(addressSeen(first)).toBe('127.0.0.1');
    });
  });

  describe('token buckets', () => {
    it('hold the documented budgets and refill at the documented rates', () => {
      const budgets: Array<[BucketName, number, number]> = [
        ['moves', 120, 240],
        ['notes', 10, 30],
        ['joins', 10, 100],
      ];
      for (const scale of [1, 0.1]) {
        for (const [name, perSecond, burstAtOne] of budgets) {
          const rate = perSecond * scale;
          const burst = burstAtOne * scale;
          const buckets = new KeyedBuckets(scale);
          let passed = 0;
          while (passed <= burst && buckets.take('k', name, 0)) passed++;
          expect([name, scale, passed]).toEqual([name, scale, burst]);
          // Just over one token's time later one more passes, and only one.
          const oneToken = (1000 / rate) * 1.01;
          expect(buckets.take('k', name, oneToken)).toBe(true);
          expect(buckets.take('k', name, oneToken)).toBe(false);
          // Another key has its own bucket.
          expect(buckets.take('other', name, oneToken)).toBe(true);
          // A long pause refills to the burst, never beyond; the sweep has forgotten both keys.
          const later = oneToken + 60_000;
          passed = 0;
          while (passed <= burst && buckets.take('k', name, later)) passed++;
          expect(passed).toBe(burst);
          expect(buckets.size).toBe(1);
        }
      }
    });

    it('answers rate_limited once a socket spends its join and note budgets', async () => {
      // Scale 0.1: 10 joins at once, 3 note operations at once.
      server = await startTestServer({ env: { RATE_LIMIT_SCALE: '0.1' } });
      const rooms = await server.rooms();
      const lists = await Promise.all(
        Array.from({ length: 20 }, () => ask(rooms, 'room:list', { page: PAGE })),
      );
      const codes = lists.map(codeOf);
      expect(codes.slice(0, 10)).toEqual(Array(10).fill('ok'));
      expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(8);
      // Another socket has its own buckets.
      const other = await server.rooms();
      expect(codeOf(await ask(other, 'room:list', { page: PAGE }))).toBe('ok');

      const notes = await server.notes();
      expect(codeOf(await ask(notes, 'notes:subscribe', { room: ROOM }))).toBe('ok');
      const creates = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          ask(notes, 'note:create', {
            room: ROOM,
            opId: `op-bucket-${i}`,
            anchor: { selectors: [] },
            body: 'x',
          }),
        ),
      );
      expect(creates.map(codeOf).filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(4);
      // Refused work is not done: only the notes that were acked ok are stored.
      const stored = await server.store.list(ROOM);
      expect(stored.length).toBe(creates.map(codeOf).filter((c) => c === 'ok').length);
      expect(await metric(server, 'copresence_rejected_total{code="rate_limited"}')).toBeGreaterThanOrEqual(
        12,
      );
    });

    it('keys budgets by clientId: leaving and re-entering /notes or reconnecting gives no fresh bucket', async () => {
      // Scale 0.3: 9 note operations at once, then 3 per second, per clientId.
      server = await startTestServer({ env: { RATE_LIMIT_SCALE: '0.3' } });
      const auth = makeAuth();
      const started = performance.now();
      const codes: string[] = [];
      const burst = async (socket: NotesClient, round: number) => {
        expect(codeOf(await ask(socket, 'notes:subscribe', { room: ROOM }))).toBe('ok');
        const answers = await Promise.all(
          Array.from({ length: 9 }, (_, i) =>
            ask(socket, 'note:create', {
              room: ROOM,
              opId: `op-re-${round}-${i}`,
              anchor: { selectors: [] },
              body: 'x',
            }),
          ),
        );
        codes.push(...answers.map(codeOf));
      };
      // The same connection leaves the namespace and enters it again...
      const first = await server.notes(auth);
      for (let round = 0; round < 3; round++) {
        await burst(first, round);
        const left = once(first, 'disconnect');
        first.disconnect();
        await left;
        const back = once(first, 'connect');
        first.connect();
        await back;
      }
      first.close();
      // ...and new connections of the same clientId.
      for (let round = 3; round < 6; round++) {
        const socket = await connectNotes(server.url, auth);
        await burst(socket, round);
        socket.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const passed = codes.filter((c) => c === 'ok').length;
      // Six fresh buckets would have let all 54 through.
      expect(passed).toBeLessThanOrEqual(9 + Math.ceil(3 * seconds));
      expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThan(0);
      expect((await server.store.list(ROOM)).length).toBe(passed);
    });

    it('keys budgets by address too: new clientIds from one address share its bucket', async () => {
      // MAX_CONNECTIONS_PER_IP=5 sizes an address for one person: the address bucket equals a clientId's.
      server = await startTestServer({ env: { RATE_LIMIT_SCALE: '0.3', MAX_CONNECTIONS_PER_IP: '5' } });
      const started = performance.now();
      const codes: string[] = [];
      for (let round = 0; round < 4; round++) {
        const socket = await server.notes();
        expect(codeOf(await ask(socket, 'notes:subscribe', { room: ROOM }))).toBe('ok');
        const answers = await Promise.all(
          Array.from({ length: 9 }, (_, i) =>
            ask(socket, 'note:create', {
              room: ROOM,
              opId: `op-ip-${round}-${i}`,
              anchor: { selectors: [] },
              body: 'x',
            }),
          ),
        );
        codes.push(...answers.map(codeOf));
        socket.close();
      }
      const seconds = (performance.now() - started) / 1000;
      expect(codes.filter((c) => c === 'ok').length).toBeLessThanOrEqual(9 + Math.ceil(3 * seconds));
    });

    it('lets a handler charge extra tokens to the clientId and address (chargeTokens)', async () => {
      server = await startTestServer({ env: { RATE_LIMIT_SCALE: '0.1' } });
      const notes = await server.notes();
      const serverSide = server.app.io.of('/notes').sockets.get(notes.id!)!;
      // Three notes tokens at scale 0.1: two pass, a third is more than what is left.
      expect(chargeTokens(serverSide, 'notes', 2)).toBe(true);
      expect(chargeTokens(serverSide, 'notes', 2)).toBe(false);
      expect(chargeTokens(serverSide, 'notes', 1)).toBe(true);
      // The clientId's next request of that bucket is refused; another clientId's passes.
      expect(codeOf(await ask(notes, 'note:delete', { room: ROOM, id: 'n', version: 1 }))).toBe(
        'rate_limited',
      );
      const other = await server.notes();
      expect(codeOf(await ask(other, 'note:delete', { room: ROOM, id: 'n', version: 1 }))).not.toBe(
        'rate_limited',
      );
    });

    it('drops cursor moves over the budget before they reach the room', async () => {
      server = await startTestServer({ env: { RATE_LIMIT_SCALE: '0.1', TICK_HZ: '1000' } });
      const alice = await server.rooms();
      const bob = await server.rooms();
      await ask(alice, 'room:join', { page: PAGE });
      await ask(bob, 'room:join', { page: PAGE });
      // The moves bucket holds 24 at scale 0.1; 200 moves in one go cannot all pass.
      const firstBatch = once<CursorBatch>(bob, 'cursor:batch');
      for (let i = 0; i < 200; i++)
        alice.emit('cursor:move', { room: ROOM, cursor: { x: i / 1000, y: 0.5 } });
      alice.emit('cursor:move', { room: ROOM, cursor: { x: 1, y: 1 } });
      // A request behind the moves: when it is answered, every move was handled.
      await ask(alice, 'room:list', { page: PAGE });
      expect(await metric(server, 'copresence_rejected_total{code="rate_limited"}')).toBeGreaterThanOrEqual(
        150,
      );
      const batch = await firstBatch;
      // The last move was over the budget, so it never reached bob.
      expect(batch.cursors.every((entry) => entry.cursor?.x !== 1)).toBe(true);
    });
  });

  describe('rooms per socket', () => {
    it('refuses a join or subscribe beyond MAX_ROOMS_PER_SOCKET with too_large', async () => {
      server = await startTestServer({ env: { MAX_ROOMS_PER_SOCKET: '2' } });
      const rooms = await server.rooms();
      expect(codeOf(await ask(rooms, 'room:join', { page: PAGE, channel: 'a' }))).toBe('ok');
      expect(codeOf(await ask(rooms, 'room:join', { page: PAGE, channel: 'b' }))).toBe('ok');
      // Joining one it is in already is fine; a third is not, until it leaves one.
      expect(codeOf(await ask(rooms, 'room:join', { page: PAGE, channel: 'b' }))).toBe('ok');
      expect(codeOf(await ask(rooms, 'room:join', { page: PAGE, channel: 'c' }))).toBe('too_large');
      await ask(rooms, 'room:leave', { room: 'a|' + PAGE });
      expect(codeOf(await ask(rooms, 'room:join', { page: PAGE, channel: 'c' }))).toBe('ok');

      const notes = await server.notes();
      expect(codeOf(await ask(notes, 'notes:subscribe', { room: 'a|' + PAGE }))).toBe('ok');
      expect(codeOf(await ask(notes, 'notes:subscribe', { room: 'b|' + PAGE }))).toBe('ok');
      expect(codeOf(await ask(notes, 'notes:subscribe', { room: 'c|' + PAGE }))).toBe('too_large');
    });
  });

  describe('rooms per address', () => {
    it('refuses a join beyond the rooms one address may hold across its connections with too_large', async () => {
      // MAX_CONNECTIONS_PER_IP=5 sizes the address for one person: 10 rooms.
      server = await startTestServer({ env: { MAX_CONNECTIONS_PER_IP: '5' } });
      const [first, second] = [await server.rooms(), await server.rooms()];
      for (let i = 0; i < 6; i++)
        expect(codeOf(await ask(first, 'room:join', { page: PAGE, channel: `a${i}` }))).toBe('ok');
      for (let i = 0; i < 4; i++)
        expect(codeOf(await ask(second, 'room:join', { page: PAGE, channel: `b${i}` }))).toBe('ok');
      expect(codeOf(await ask(second, 'room:join', { page: PAGE, channel: 'b4' }))).toBe('too_large');
      // A room it is in already is no new room; leaving one, or closing a connection, frees them.
      expect(codeOf(await ask(second, 'room:join', { page: PAGE, channel: 'b0' }))).toBe('ok');
      await ask(first, 'room:leave', { room: 'a0|' + PAGE });
      expect(codeOf(await ask(second, 'room:join', { page: PAGE, channel: 'b4' }))).toBe('ok');
      expect(codeOf(await ask(second, 'room:join', { page: PAGE, channel: 'b5' }))).toBe('too_large');
      const serverSide = server.app.io.of('/rooms').sockets.get(first.id!)!;
      const gone = new Promise<void>((resolve) => serverSide.once('disconnect', () => resolve()));
      first.close();
      await gone;
      expect(codeOf(await ask(second, 'room:join', { page: PAGE, channel: 'b5' }))).toBe('ok');
    });
  });

  describe('private rooms per address', () => {
    it('refuses room:create over the per-address allowance with rate_limited', async () => {
      // MAX_CONNECTIONS_PER_IP=5 sizes the address for one person: 2 private rooms at once.
      server = await startTestServer({ env: { MAX_CONNECTIONS_PER_IP: '5' } });
      const owner = await server.rooms();
      const other = await server.rooms();
      expect(codeOf(await ask(owner, 'room:create', { page: PAGE }))).toBe('ok');
      expect(codeOf(await ask(other, 'room:create', { page: PAGE }))).toBe('ok');
      // A third, from either clientId of the address, is refused.
      expect(codeOf(await ask(other, 'room:create', { page: PAGE }))).toBe('rate_limited');
      expect(codeOf(await ask(owner, 'room:create', { page: PAGE + '?b' }))).toBe('rate_limited');
    });
  });

  describe('input sizes', () => {
    it('accepts every documented maximum and refuses one character (or selector) more', async () => {
      server = await startTestServer({ env: { RATE_LIMIT_SCALE: '100' } });
      const notes = await server.notes();
      expect(codeOf(await ask(notes, 'notes:subscribe', { room: ROOM }))).toBe('ok');
      let op = 0;
      const create = async (fields: object) =>
        codeOf(
          await ask(notes, 'note:create', {
            room: ROOM,
            opId: `op-size-${op++}`,
            anchor: { selectors: [] },
            body: 'b',
            ...fields,
          }),
        );
      const quote = (exact: string, prefix = '', suffix = '') => ({
        anchor: { selectors: [{ type: 'TextQuoteSelector', exact, prefix, suffix }] },
      });
      const positions = (n: number) => ({
        anchor: {
          selectors: Array.from({ length: n }, (_, i) => ({
            type: 'TextPositionSelector',
            start: i,
            end: i + 1,
          })),
        },
      });
      expect(await create({ body: 'b'.repeat(10_000) })).toBe('ok');
      expect(await create({ body: 'b'.repeat(10_001) })).toBe('invalid');
      expect(await create(positions(8))).toBe('ok');
      expect(await create(positions(9))).toBe('invalid');
      expect(await create(quote('q'.repeat(2_000)))).toBe('ok');
      expect(await create(quote('q'.repeat(2_001)))).toBe('invalid');
      expect(await create(quote('q', 'p'.repeat(64), 's'.repeat(64)))).toBe('ok');
      expect(await create(quote('q', 'p'.repeat(65)))).toBe('invalid');
      expect(await create(quote('q', '', 's'.repeat(65)))).toBe('invalid');
      expect((await server.store.list(ROOM)).length).toBe(4);

      const rooms = await server.rooms();
      const join = async (fields: object) =>
        (await ask(rooms, 'room:join', { page: PAGE, ...fields })) as Result<{ room: string }>;
      expect(codeOf(await join({ channel: 'c'.repeat(64) }))).toBe('ok');
      expect(codeOf(await join({ channel: 'c'.repeat(65) }))).toBe('invalid');
      // Channels are normalised: trimmed, lower-cased, spaces become dashes.
      expect(await join({ channel: '  Team Room ' })).toMatchObject({
        ok: true,
        value: { room: 'team-room|' + PAGE },
      });
      const longPage = 'https://example.com/' + 'a'.repeat(2048 - 'https://example.com/'.length);
      expect(codeOf(await join({ page: longPage }))).toBe('ok');
      expect(codeOf(await join({ page: longPage + 'a' }))).toBe('invalid');

      // Names: trimmed, then at most 40 characters.
      await expect(server.rooms(makeAuth({ name: ` ${'n'.repeat(40)} ` }))).resolves.toBeTruthy();
      expect((await handshakeError(server.url, '/rooms', makeAuth({ name: 'n'.repeat(41) }))).message).toBe(
        'invalid',
      );
    });
  });

  describe('events outside the protocol', () => {
    it('answers unknown events and acks on fire-and-forget events with invalid', async () => {
      server = await startTestServer();
      const rooms = await server.rooms();
      expect(codeOf(await ask(rooms, 'note:create', { room: ROOM }))).toBe('invalid');
      expect(codeOf(await ask(rooms, 'constructor', {}))).toBe('invalid');
      expect(codeOf(await ask(rooms, 'cursor:move', { room: ROOM, cursor: { x: 0, y: 0 } }))).toBe('invalid');
      const notes = await server.notes();
      expect(codeOf(await ask(notes, 'room:join', { page: PAGE }))).toBe('invalid');
      expect(await metric(server, 'copresence_events_in_total{namespace="/rooms",event="unknown"}')).toBe(2);
    });
  });
});

describe('slow clients', () => {
  it('drops volatile cursor batches for a client that stopped reading, and counts them', async () => {
    server = await startTestServer({ env: { TICK_HZ: '200' } });
    const stalled = await stalledPollingClient(server.url, makeAuth(), PAGE);
    const alice = await server.rooms();
    const watcher = await server.rooms();
    await ask(alice, 'room:join', { page: PAGE });
    await ask(watcher, 'room:join', { page: PAGE });
    // A polling connection keeps the first POLLING_VOLATILE_QUEUE for its next GET, then drops.
    for (let i = 1; i <= 20 + POLLING_VOLATILE_QUEUE; i++) {
      const x = i / 1000;
      alice.emit('cursor:move', { room: ROOM, cursor: { x, y: 0.5 } });
      // Each batch the watcher gets went, in the same flush, to the stalled client too.
      await once<CursorBatch>(watcher, 'cursor:batch', (b) => b.cursors.some((e) => e.cursor?.x === x));
    }
    expect(await metric(server, 'copresence_volatile_dropped_total')).toBeGreaterThanOrEqual(20);
    // Nothing more piles up for it: the kept batches, the join snapshot and presence events.
    const engine = server.app.io.engine as unknown as { clients: Record<string, { writeBuffer: unknown[] }> };
    expect(engine.clients[stalled.sid]!.writeBuffer.length).toBeLessThanOrEqual(POLLING_VOLATILE_QUEUE + 3);
    await stalled.close();
  });
});
