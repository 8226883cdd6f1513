// Operations: GET /metrics, the admin UI namespace only with credentials (checked off the
// event loop, attempts limited per address, its origin admitted to /admin only), a dropped
// connection coming back as a new socket (catch-up by revision is the one way back), and a
// graceful close.
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Socket as EngineSocket } from 'engine.io-client';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { NoteChanged, NotesChanges, PresenceJoined, Result, RoomJoined } from '../../protocol/index.js';
import { ADMIN_UI_ORIGIN } from '../../server/limits.js';
import {
  ask,
  connectNotes,
  handshakeError,
  makeAuth,
  type NotesClient,
  type RoomsClient,
} from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once, record } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const ROOM = 'public|' + PAGE;
const ANCHOR = { selectors: [{ type: 'TextQuoteSelector', exact: 'words' }] };

let server: TestServer;
const extra: Socket[] = [];
afterEach(async () => {
  for (const socket of extra.splice(0)) socket.close();
  await server.dispose();
});

describe('GET /metrics', () => {
  it('reports connections, rooms, events in and out, rejections and ack latency', async () => {
    server = await startTestServer();
    const alice = await server.rooms();
    const bob = await server.rooms();
    await ask(alice, 'room:join', { page: PAGE });
    const joined = once(alice, 'presence:joined');
    await ask(bob, 'room:join', { page: PAGE });
    await joined;
    await ask(bob, 'room:join', { page: 42 });
    const reader = await server.notes();
    await ask(reader, 'notes:subscribe', { room: ROOM });
    const res = await fetch(server.url + '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const lines = text.split('\n');
    const sample = (name: string) => Number(lines.find((l) => l.startsWith(name + ' '))?.split(' ')[1]);
    expect(sample('copresence_connections')).toBe(3);
    expect(sample('copresence_rooms{namespace="/rooms"}')).toBe(1);
    expect(sample('copresence_rooms{namespace="/notes"}')).toBe(1);
    expect(sample('copresence_events_in_total{namespace="/notes",event="notes:subscribe"}')).toBe(1);
    expect(sample('copresence_events_in_total{namespace="/rooms",event="room:join"}')).toBe(3);
    expect(sample('copresence_events_out_total{namespace="/rooms",event="presence:joined"}')).toBe(1);
    expect(sample('copresence_events_out_total{namespace="/rooms",event="ack"}')).toBe(3);
    expect(sample('copresence_rejected_total{code="invalid"}')).toBe(1);
    expect(sample('copresence_ack_latency_seconds_count{event="room:join"}')).toBe(3);
    expect(text).toContain('copresence_volatile_dropped_total 0');
  });

  it('counts a broadcast once per receiver, and keeps counting between scrapes', async () => {
    server = await startTestServer();
    const joinedOut = async () => {
      const text = await (await fetch(server.url + '/metrics')).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith('copresence_events_out_total{namespace="/rooms",event="presence:joined"} '),
        );
      return Number(line?.split(' ')[1]);
    };
    const [alice, bob, carol] = [await server.rooms(), await server.rooms(), await server.rooms()];
    await ask(alice, 'room:join', { page: PAGE });
    const aliceHearsBob = once(alice, 'presence:joined');
    await ask(bob, 'room:join', { page: PAGE });
    await aliceHearsBob;
    expect(await joinedOut()).toBe(1);
    // One broadcast, one encoded packet, two receivers.
    const heard = [once(alice, 'presence:joined'), once(bob, 'presence:joined')];
    await ask(carol, 'room:join', { page: PAGE });
    await Promise.all(heard);
    expect(await joinedOut()).toBe(3);
  });
});

const adminClient = (url: string, auth: object, extraHeaders?: Record<string, string>) => {
  const socket = connect(url + '/admin', {
    auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(extraHeaders ? { extraHeaders } : {}),
  });
  extra.push(socket);
  return Promise.race([
    once(socket, 'connect').then(() => 'connected'),
    once<Error>(socket, 'connect_error').then((error) => error.message),
  ]);
};

describe('admin UI', () => {
  it('is off without ADMIN_USER and ADMIN_PASSWORD', async () => {
    server = await startTestServer();
    expect(await adminClient(server.url, { username: 'ops', password: 'anything' })).toBe(
      'Invalid namespace',
    );
  });

  it('lets in the configured admin only', async () => {
    server = await startTestServer({ env: { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct horse battery' } });
    expect(await adminClient(server.url, { username: 'ops', password: 'wrong password' })).toBe(
      'invalid credentials',
    );
    expect(await adminClient(server.url, { username: 'ops', password: 'correct horse battery' })).toBe(
      'connected',
    );
  });
});

describe('admin logins', () => {
  const CREDENTIALS = { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct horse battery' };

  it('checks passwords off the event loop and refuses attempts over the per-address limit', async () => {
    server = await startTestServer({ env: CREDENTIALS });
    // One connection, 200 CONNECT packets to /admin with wrong passwords, sent at once; each
    // is answered with a CONNECT_ERROR packet (`4/admin,{message}`).
    const conn = new EngineSocket(server.url, { path: '/socket.io/', transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      conn.once('open', () => resolve());
      conn.once('error', reject);
    });
    const answers: string[] = [];
    const all = new Promise<void>((resolve) =>
      conn.on('message', (data) => {
        if (typeof data === 'string' && data.startsWith('4/admin,')) answers.push(data);
        if (answers.length === 200) resolve();
      }),
    );
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    for (let i = 0; i < 200; i++) {
      conn.send('0/admin,' + JSON.stringify({ username: 'ops', password: `wrong ${i}` }));
    }
    await all;
    delay.disable();
    conn.close();
    const messages = answers.map(
      (a) => (JSON.parse(a.slice('4/admin,'.length)) as { message: string }).message,
    );
    expect(messages.filter((m) => m === 'invalid credentials')).toHaveLength(10);
    expect(messages.filter((m) => m === 'too many attempts')).toHaveLength(190);
    // Nothing of it ran on the event loop (13 s of bcrypt did before).
    expect(delay.max / 1e6).toBeLessThan(250);
    // The address is locked out, even with the right password; other namespaces are not.
    expect(await adminClient(server.url, { username: 'ops', password: 'correct horse battery' })).toBe(
      'too many attempts',
    );
    await expect(server.rooms()).resolves.toBeTruthy();
  });

  it('admits the hosted admin UI origin to /admin only', async () => {
    server = await startTestServer({ env: CREDENTIALS });
    const origin = { origin: ADMIN_UI_ORIGIN };
    for (const namespace of ['/rooms', '/notes']) {
      expect((await handshakeError(server.url, namespace, makeAuth(), origin)).message).toBe('forbidden');
    }
    const credentials = { username: 'ops', password: 'correct horse battery' };
    expect(await adminClient(server.url, credentials, origin)).toBe('connected');
  });
});

describe('a dropped connection', () => {
  /** A client like the extension's: it reconnects by itself. */
  function reconnecting<T>(namespace: '/rooms' | '/notes'): T {
    const socket = connect(server.url + namespace, {
      auth: makeAuth(),
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 20,
      reconnectionDelayMax: 50,
    });
    extra.push(socket);
    return socket as unknown as T;
  }

  async function dropAndReturn(socket: Socket, whileAway: () => Promise<void>): Promise<void> {
    const before = socket.id;
    const disconnected = once(socket, 'disconnect');
    socket.io.engine.close();
    await disconnected;
    await whileAway();
    expect(socket.connected).toBe(false);
    await once(socket, 'connect');
    // No session is kept on any node: the client comes back as a new socket.
    expect(socket.recovered).not.toBe(true);
    expect(socket.id).not.toBe(before);
  }

  it('comes back to /notes unsubscribed, and gets what it missed by subscribing with its revision', async () => {
    server = await startTestServer();
    const dropped = reconnecting<NotesClient>('/notes');
    await once(dropped, 'connect');
    expect(((await ask(dropped, 'notes:subscribe', { room: ROOM })) as Result<unknown>).ok).toBe(true);
    const writer = await server.notes();
    await ask(writer, 'notes:subscribe', { room: ROOM });
    // A note event received: what Socket.IO's recovery would come back with as its offset.
    const heard = once<NoteChanged>(dropped, 'note:created');
    await ask(writer, 'note:create', { room: ROOM, opId: 'op-heard-1', anchor: ANCHOR, body: 'heard' });
    const since = (await heard).note.revision!;
    const seen = record<NoteChanged>(dropped, 'note:created');

    const missed: string[] = [];
    await dropAndReturn(dropped as unknown as Socket, async () => {
      for (let i = 0; i < 3; i++) {
        const acked = (await ask(writer, 'note:create', {
          room: ROOM,
          opId: randomBytes(9).toString('base64url'),
          anchor: ANCHOR,
          body: `missed ${i}`,
        })) as Result<{ id: string }>;
        if (!acked.ok) throw new Error(acked.error.message);
        missed.push(acked.value.id);
      }
    });
    // Nothing is replayed, and the subscription did not survive: the store is the one truth.
    expect(((await ask(dropped, 'notes:page', { room: ROOM, after: '0' })) as Result<unknown>).ok).toBe(
      false,
    );
    const again = (await ask(dropped, 'notes:subscribe', { room: ROOM, since })) as Result<NotesChanges>;
    expect(again.ok && again.value.notes.map((note) => note.id)).toEqual(missed);
    expect(seen).toEqual([]);
  });

  it('comes back to /rooms as a new socket that joins again', async () => {
    server = await startTestServer();
    const dropped = reconnecting<RoomsClient>('/rooms');
    await once(dropped, 'connect');
    await ask(dropped, 'room:join', { page: PAGE });
    const first = await server.rooms();
    const heard = once(dropped, 'presence:joined');
    await ask(first, 'room:join', { page: PAGE });
    await heard;
    const seen = record<PresenceJoined>(dropped, 'presence:joined');
    await dropAndReturn(dropped as unknown as Socket, async () => {
      // Broadcast while it is away: a recovered socket would get it replayed.
      const second = await server.rooms();
      await ask(second, 'room:join', { page: PAGE });
    });
    const rejoined = (await ask(dropped, 'room:join', { page: PAGE })) as Result<RoomJoined>;
    expect(rejoined.ok && rejoined.value.peers.length).toBe(2);
    expect(seen).toEqual([]);
  });
});

describe('graceful close', () => {
  it('lets an in-flight write finish and ack, refuses new requests, then disconnects', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => undefined;
    const inStore = new Promise<void>((resolve) => (entered = resolve));
    server = await startTestServer({
      wrapStore: (store) =>
        Object.assign(Object.create(store) as typeof store, {
          // A slow disk: the write starts, then waits for the test to let it commit.
          create: async (...args: Parameters<typeof store.create>) => {
            entered();
            await gate;
            return store.create(...args);
          },
        }),
    });
    const writer = await server.notes();
    await ask(writer, 'notes:subscribe', { room: ROOM });
    const slow = ask(writer, 'note:create', {
      room: ROOM,
      opId: 'op-in-flight',
      anchor: ANCHOR,
      body: 'slow',
    });
    await inStore;
    expect(server.app.inFlight()).toBe(1);
    const closing = server.app.close();
    // Stops accepting: a new connection is refused while the write drains.
    await expect(connectNotes(server.url)).rejects.toThrow();
    const late = (await ask(writer, 'note:create', {
      room: ROOM,
      opId: 'op-too-late',
      anchor: ANCHOR,
      body: 'late',
    })) as Result<unknown>;
    expect(late).toEqual({ ok: false, error: { code: 'unavailable', message: expect.any(String) } });
    const disconnected = once(writer, 'disconnect');
    release();
    expect(((await slow) as Result<unknown>).ok).toBe(true);
    await closing;
    await disconnected;
    expect((await server.store.list(ROOM)).map((note) => note.body)).toEqual(['slow']);
  });

  it('does not wait for a request whose socket left before its handler ran', async () => {
    server = await startTestServer();
    const leaver = await server.notes();
    const [serverSide] = server.app.io.of('/notes').sockets.values();
    const left = new Promise<void>((resolve) => serverSide!.once('disconnect', () => resolve()));
    // The request and the goodbye arrive in one read: the guard counts the request, then
    // Socket.IO drops it, as the socket is gone by the tick its handler would run in.
    leaver.emit('notes:subscribe', { room: ROOM }, () => undefined);
    leaver.disconnect();
    await left;
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(server.app.inFlight()).toBe(0);
  });
});
