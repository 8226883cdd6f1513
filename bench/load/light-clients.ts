/**
 * Load clients: real WebSocket connections that put exactly the bytes of a real client
 * on the wire (Engine.IO v4 / Socket.IO v5 text packets for ours and the Socket.IO
 * relay, JSON for the ws relay) but do not decode what they receive, beyond answering
 * pings and reading acks. They carry the bulk of a workload's connections so that one
 * generator core can drive full-size workloads; delivery and latency are measured at
 * the probe clients (clients.ts, real socket.io-client), which get the same traffic.
 */
import { WebSocket, type RawData } from 'ws';
import type { Auth } from '../../protocol/index.js';
import type { TargetName } from '../support/server-under-test.js';
import { pageOf, type BenchClient, type ClientSink, type NoteAck, type UserSpec } from './clients.js';

const ACK_TIMEOUT_MS = 10_000;
const OPEN_TIMEOUT_MS = 20_000;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;

type AckWaiter = (payload: unknown) => void;

/**
 * A minimal Socket.IO client over one WebSocket: connects namespaces with auth, emits
 * events (optionally with an ack), answers Engine.IO pings. Incoming events are dropped
 * undecoded, which is what makes it light.
 */
class RawSocketIo {
  private readonly ws: WebSocket;
  private readonly acks = new Map<number, AckWaiter>();
  private nextAck = 0;
  private readonly connected = new Map<string, (error: Error | null) => void>();
  private closing = false;

  /** Resolves with the server's Engine.IO open packet ("0{...}"), the first message. */
  private readonly opened: Promise<void>;

  constructor(
    url: string,
    private readonly sink: ClientSink,
  ) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    this.opened = new Promise<void>((resolve, reject) => {
      this.ws.once('message', () => resolve());
      this.ws.once('error', reject);
    });
    // Until open() awaits it, a failed connection must not become an unhandled rejection.
    this.opened.catch(() => undefined);
    this.ws.on('message', (data) => this.onMessage(data));
    this.ws.once('close', (code) => {
      if (!this.closing) sink.disconnected(`ws close ${code}`);
    });
  }

  /** Waits for the Engine.IO session, then connects each namespace with `auth`. */
  async open(namespaces: string[], auth: object): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('connect: timed out')), OPEN_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.opened, timeout]);
      await Promise.race([
        Promise.all(
          namespaces.map(
            (nsp) =>
              new Promise<void>((resolve, reject) => {
                this.connected.set(nsp, (error) => (error ? reject(error) : resolve()));
                this.ws.send(`40${nsp === '/' ? '' : nsp + ','}${JSON.stringify(auth)}`);
              }),
          ),
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `42<nsp>,[event, payload]`, already serialised by the caller for speed. */
  sendRaw(packet: string): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(packet);
    return true;
  }

  request(nsp: string, event: string, payload: unknown): Promise<unknown> {
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`${event}: timed out`));
      }, ACK_TIMEOUT_MS);
      this.acks.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.ws.send(`42${nsp},${id}${JSON.stringify([event, payload])}`);
    });
  }

  close(): void {
    this.closing = true;
    this.ws.terminate();
  }

  private onMessage(data: RawData): void {
    const bytes = data as Buffer;
    if (bytes[0] === CHAR_2 && bytes.length === 1) {
      this.ws.send('3');
      return;
    }
    // Events ("42...") are the bulk: dropped without decoding.
    if (bytes[0] !== CHAR_4 || bytes[1] === CHAR_2) return;
    const text = bytes.toString();
    const type = text[1];
    let rest = text.slice(2);
    let nsp = '/';
    if (rest.startsWith('/')) {
      const comma = rest.indexOf(',');
      nsp = rest.slice(0, comma);
      rest = rest.slice(comma + 1);
    }
    switch (type) {
      case '0':
        this.connected.get(nsp)?.(null);
        break;
      case '4':
        this.connected.get(nsp)?.(new Error(`connect ${nsp}: ${rest}`));
        break;
      case '3': {
        const id = Number(/^\d+/.exec(rest)?.[0]);
        const waiter = this.acks.get(id);
        this.acks.delete(id);
        waiter?.((JSON.parse(rest.slice(String(id).length)) as unknown[])[0]);
        break;
      }
      case '1':
        this.sink.disconnected(`server disconnected ${nsp}`);
        break;
    }
  }
}

interface OkResult<T> {
  ok: boolean;
  value?: T;
  error?: { code: string };
}

function lightOurs(url: string, user: UserSpec, sink: ClientSink): BenchClient {
  const raw = new RawSocketIo(url, sink);
  const auth: Auth = {
    clientId: `b${user.runId}-${user.index}`,
    secret: `bench-secret-${user.runId}-${user.index}`,
    name: `user ${user.index}`,
    color: '#3366cc',
  };
  let prefix = '';
  let room = '';
  return {
    async open() {
      await raw.open(user.notes ? ['/rooms', '/notes'] : ['/rooms'], auth);
      const joined = (await raw.request('/rooms', 'room:join', {
        page: pageOf(user.room),
        cursorFormat: 'packed',
      })) as OkResult<{
        room: string;
        self: { id: string };
      }>;
      if (!joined.ok || !joined.value) throw new Error(`room:join: ${joined.error?.code ?? 'no value'}`);
      room = joined.value.room;
      prefix = `42/rooms,["cursor:move",{"room":${JSON.stringify(room)},"cursor":{"x":`;
      if (user.notes) {
        const subscribed = (await raw.request('/notes', 'notes:subscribe', { room })) as OkResult<unknown>;
        if (!subscribed.ok) throw new Error(`notes:subscribe: ${subscribed.error?.code ?? ''}`);
      }
      return joined.value.self.id;
    },
    sendCursor: (x, y) => raw.sendRaw(`${prefix}${x},"y":${y}}}]`),
    createNote(payload, ack: NoteAck) {
      raw.request('/notes', 'note:create', { ...payload, room }).then(
        (answer) => {
          const result = answer as OkResult<never>;
          if (result.ok) ack({ ok: true, note: result.value as never });
          else ack({ ok: false, reason: result.error?.code ?? 'unknown' });
        },
        () => ack({ ok: false, reason: 'timeout' }),
      );
    },
    close: () => raw.close(),
  };
}

function lightSocketIoRelay(url: string, user: UserSpec, sink: ClientSink): BenchClient {
  const raw = new RawSocketIo(url, sink);
  const id = `u${user.index}`;
  return {
    async open() {
      await raw.open(['/'], { room: `room-${user.room}`, id });
      return id;
    },
    sendCursor: (x, y) => raw.sendRaw(`42["cursor",{"x":${x},"y":${y}}]`),
    createNote: (_payload, ack) => ack({ ok: false, reason: 'the baseline has no notes' }),
    close: () => raw.close(),
  };
}

function lightWsRelay(url: string, user: UserSpec, sink: ClientSink): BenchClient {
  const id = `u${user.index}`;
  let ws: WebSocket | null = null;
  let closing = false;
  return {
    open: () =>
      new Promise<string>((resolve, reject) => {
        const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/?room=room-${user.room}&id=${id}`, {
          perMessageDeflate: false,
        });
        ws = socket;
        const timer = setTimeout(() => reject(new Error('connect: timed out')), OPEN_TIMEOUT_MS);
        socket.once('open', () => {
          clearTimeout(timer);
          resolve(id);
        });
        socket.once('error', reject);
        socket.once('close', (code) => {
          if (!closing) sink.disconnected(`ws close ${code}`);
        });
      }),
    sendCursor(x, y) {
      if (!ws || ws.readyState !== ws.OPEN) return false;
      ws.send(`{"x":${x},"y":${y}}`);
      return true;
    },
    createNote: (_payload, ack) => ack({ ok: false, reason: 'the baseline has no notes' }),
    close() {
      closing = true;
      ws?.terminate();
    },
  };
}

export function createLightClient(
  target: TargetName,
  url: string,
  user: UserSpec,
  sink: ClientSink,
): BenchClient {
  switch (target) {
    case 'ours':
      return lightOurs(url, user, sink);
    case 'ws-relay':
      return lightWsRelay(url, user, sink);
    case 'socketio-relay':
      return lightSocketIoRelay(url, user, sink);
  }
}
