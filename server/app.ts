/**
 * Builds the server without starting it: an HTTP server for /healthz and /metrics, a
 * Socket.IO server with namespaces /rooms and /notes (and /admin when configured), the
 * origin and per-address checks on every new connection, the handshake check and the
 * per-socket guard on both namespaces. main.ts and the tests start it with listen() and
 * stop it with close().
 */
import { createServer, ServerResponse, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter } from 'prom-client';
import { Server, type Socket } from 'socket.io';
import { mountAdmin } from './admin.js';
import { authMiddleware, handshakeError } from './auth.js';
import type { Config } from './config.js';
import { httpHandler } from './health.js';
import { Budgets, newIdentities, privateRoomCreates, queueBounds, roomsPerAddress } from './budgets.js';
import { ADMIN_UI_ORIGIN, addressFactor, ConnectionCap, originAllowed } from './limits.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { PEER_ID_SECRET, PeerIds } from './peer-ids.js';
import { registerNotes } from './notes/notes-handlers.js';
import { NotesMend } from './cluster/notes-mend.js';
import { RedisLink } from './cluster/redis-link.js';
import { localFirstShardedAdapter, type RemoteBroadcast } from './cluster/sharded-adapter.js';
import { closeOversizedPolls } from './polling-bounds.js';
import { createRoomAccess } from './room-access.js';
import { registerRooms, type RoomsStats } from './rooms/rooms-handlers.js';
import { boundSendQueues } from './send-queue.js';
import { guardSocket, InFlight } from './socket-guard.js';
import type { NotesNamespace, RoomsNamespace } from './socket-types.js';
import type { NoteStore } from './store/note-store.js';

/** Socket.IO refuses bigger messages; the largest legal payload (a note) is far below. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** How long close() lets requests already in the handlers finish before disconnecting. */
export const DRAIN_TIMEOUT_MS = 5_000;

/** How long listen() waits for Redis before serving anyway, degraded (several-node mode). */
export const REDIS_START_TIMEOUT_MS = 5_000;

export interface AppOptions {
  store: NoteStore;
  config: Config;
  /** Defaults to JSON lines on stderr at `config.logLevel`. */
  logger?: Logger;
}

export interface ListenInfo {
  port: number;
  host: string;
  url: string;
}

export interface App {
  httpServer: HttpServer;
  io: Server;
  metrics: Metrics;
  /** Listens on `config.host:config.port`; with port 0 the answer holds the real port. */
  listen(): Promise<ListenInfo>;
  /**
   * Stops accepting connections and requests, lets the requests already in the handlers
   * finish (their writes are committed and acked), then disconnects every socket and stops
   * timers. The store stays open: the caller owns it.
   */
  close(): Promise<void>;
  /** Counters for tests and future metrics. */
  stats(): RoomsStats;
  /** Requests between arrival and ack right now. */
  inFlight(): number;
}

export function createApp({
  store,
  config,
  logger = createLogger(config.logLevel, config.nodeId),
}: AppOptions): App {
  // Bound below, once the metrics exist; Socket.IO must wrap the listener, so it comes first.
  let http: ReturnType<typeof httpHandler> | null = null;
  const httpServer = createServer((req, res) => http?.(req, res));
  // The hosted admin UI's page may connect while the admin namespace is on.
  const originOk = (origin: string | undefined) =>
    originAllowed(origin, config.allowedOrigins) || (config.admin !== null && origin === ADMIN_UI_ORIGIN);
  const cap = new ConnectionCap(config.limits);
  // Several-node mode: Redis carries broadcasts between nodes. Other nodes' broadcasts pass by
  // the rooms namespace first (it is made below, after the Server that needs the adapter).
  const redis = config.redisUrl === null ? null : new RedisLink(config.redisUrl, logger);
  let onRemote: (broadcast: RemoteBroadcast) => boolean = () => false;
  const io = new Server(httpServer, {
    // Long-polling is the fallback where WebSocket is blocked (issue 15); with several nodes
    // the balancer keeps a polling session on one node (deploy/nginx.conf, docs/DEPLOY.md).
    transports: ['websocket', 'polling'],
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    cors: { origin: (origin, done) => done(null, originOk(origin)) },
    // CORS does not cover WebSocket upgrades, so every new connection is checked here.
    allowRequest: (req: IncomingMessage, done) => {
      if (!originOk(req.headers.origin)) return done('origin not allowed', false);
      if (!cap.admits(req)) return done('too many connections from this address', false);
      done(null, true);
    },
    // No connection state recovery: a client that comes back subscribes again with the
    // revision it has (notes:subscribe since), which any node answers from the store; a session
    // kept in one process's memory could not, and would hold every broadcast for minutes.
    ...(redis
      ? {
          adapter: localFirstShardedAdapter(
            redis.pub,
            redis.sub,
            (broadcast) => onRemote(broadcast),
            redis.publishes,
          ),
        }
      : {}),
  });
  cap.track(io);
  const adminOrigin = rememberAdminOrigin(io, config.admin !== null);
  releaseUpgradeRequests(io);
  closeOversizedPolls(io);
  const appMetrics = new Metrics(io, redis ? config.nodeId : null);
  appMetrics.gaugeStore(() => store.health());
  if (redis) appMetrics.gaugeRedis(redis);
  const sendQueues = boundSendQueues(io, queueBounds(config.limits), () =>
    appMetrics.slowClientDisconnects.inc(),
  );
  appMetrics.packetCreated = sendQueues.packetCreated;
  appMetrics.gaugeQueuedBytes(sendQueues.queuedBytes);
  http = httpHandler(
    store,
    logger,
    appMetrics,
    redis ? { nodeId: config.nodeId, redis: () => redis.state() } : null,
  );

  // One Server carries namespaces with different event maps, so each gets its own typed view.
  const roomsNsp = io.of('/rooms') as RoomsNamespace;
  const notesNsp = io.of('/notes') as NotesNamespace;
  const peerIds = new PeerIds(() => store.getServerSecret(PEER_ID_SECRET));
  const auth = authMiddleware(store, peerIds, logger, newIdentities(config.limits));
  // The hosted admin UI's page is admitted for /admin only.
  const notAdminOrigin = (socket: Pick<Socket, 'conn'>, next: (err?: Error) => void) =>
    next(
      adminOrigin.has(socket.conn)
        ? handshakeError('forbidden', 'this origin may use /admin only')
        : undefined,
    );
  roomsNsp.use(notAdminOrigin);
  notesNsp.use(notAdminOrigin);
  roomsNsp.use(auth);
  notesNsp.use(auth);

  const inFlight = new InFlight();
  let draining = false;
  const guard = {
    metrics: appMetrics,
    inFlight,
    budgets: new Budgets(config.limits.rateLimitScale, addressFactor(config.limits)),
    draining: () => draining,
  };
  roomsNsp.on('connection', (socket) => {
    shareEmptyHandshake(socket);
    guardSocket(socket, guard);
  });
  notesNsp.on('connection', (socket) => {
    shareEmptyHandshake(socket);
    guardSocket(socket, guard);
  });

  const access = createRoomAccess(store);
  const roomsPerSocket = config.limits.roomsPerSocket;
  const rooms = registerRooms(roomsNsp, {
    tickHz: config.tickHz,
    presenceTtlMs: config.presenceTtlMs,
    logger,
    access,
    maxRoomsPerSocket: roomsPerSocket,
    peerIds,
    maxRoomsPerAddress: roomsPerAddress(config.limits),
    privateRooms: privateRoomCreates(config.limits),
    cluster: redis ? { link: redis, nodeId: config.nodeId } : null,
  });
  // Several-node mode: each node mends its own notes subscribers after events were lost.
  const notesMend = redis ? new NotesMend(notesNsp, store, redis, logger) : null;
  onRemote = (broadcast) => notesMend?.heard(broadcast) || rooms.onRemote(broadcast);
  registerNotes(notesNsp, {
    store,
    logger,
    access,
    limits: config.limits,
    peerIds,
    onServed: (room, revision) => notesMend?.served(room, revision),
  });
  if (mountAdmin(io, config.admin)) logger.info('admin UI enabled on /admin');

  let cursorsRejected = 0;
  new Counter({
    name: 'copresence_cursor_rejected_total',
    help: 'cursor:move / cursor:hide dropped: bad payload or a room the socket is not in.',
    registers: [appMetrics.registry],
    collect() {
      const now = rooms.stats().cursorsRejected;
      this.inc(now - cursorsRejected);
      cursorsRejected = now;
    },
  });

  const listen = async () => {
    if (redis && !(await redis.ready(REDIS_START_TIMEOUT_MS))) {
      logger.warn({ redis: redis.state() }, 'serving without Redis for now: this node only');
    }
    return new Promise<ListenInfo>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        const { port } = httpServer.address() as AddressInfo;
        const host = config.host.includes(':') ? `[${config.host}]` : config.host;
        resolve({ port, host: config.host, url: `http://${host}:${port}` });
      });
    });
  };

  const close = async () => {
    // No new connections and no new requests; the ones in the handlers may finish.
    draining = true;
    httpServer.close();
    await inFlight.drained(DRAIN_TIMEOUT_MS);
    // Timer first: disconnecting sockets below marks cursors dirty and would wake it again.
    rooms.close();
    notesMend?.close();
    await io.close();
    // After io.close(): the adapters unsubscribe through it.
    await redis?.close();
  };

  return {
    httpServer,
    io,
    metrics: appMetrics,
    listen,
    close,
    stats: rooms.stats,
    inFlight: () => inFlight.size,
  };
}

/**
 * The connections opened by the hosted admin UI's page (Origin `https://admin.socket.io`,
 * admitted only while /admin is on). Read from the request before
 * releaseUpgradeRequests drops it; only such connections are kept, weakly.
 */
function rememberAdminOrigin(io: Server, adminOn: boolean): WeakSet<object> {
  const fromAdminUi = new WeakSet<object>();
  if (adminOn) {
    io.engine.on('connection', (conn: { request: IncomingMessage | null }) => {
      if (conn.request?.headers.origin === ADMIN_UI_ORIGIN) fromAdminUi.add(conn);
    });
  }
  return fromAdminUi;
}

/**
 * Socket.IO's memory-usage advice: once a connection is open nothing reads its
 * HTTP request again (ConnectionCap took the address on `connection`), yet holding it keeps
 * the request, its headers and parser state alive for every idle connection. Engine.IO
 * 6.6.12 holds it twice: as `conn.request`, and through the stand-in response of a
 * WebSocket upgrade, which lives until the TCP socket closes. Socket.IO then builds
 * `socket.handshake` without headers, query and url (the admin UI shows them empty).
 */
function releaseUpgradeRequests(io: Server): void {
  // The only Engine.IO middleware. The checks after it (allowRequest, the handshake) read
  // the request itself, never the response's reference to it.
  io.engine.use((_req: IncomingMessage, res: object, next: () => void) => {
    if (!(res instanceof ServerResponse)) (res as { req: IncomingMessage | null }).req = null;
    next();
  });
  // Registered after Socket.IO's own listener and ConnectionCap's, which have read it by now.
  io.engine.on('connection', (conn: { request: IncomingMessage | null }) => {
    conn.request = null;
  });
}

/** What a handshake's headers and query are once the request is released: empty. */
const RELEASED = Object.freeze({});

/** Without the request, Socket.IO gives each socket two new empty objects; one shared will do. */
function shareEmptyHandshake(socket: Pick<Socket, 'handshake'>): void {
  socket.handshake.headers = RELEASED;
  socket.handshake.query = RELEASED;
}
