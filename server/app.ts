/**
 * Builds the server without starting it: an HTTP server for /healthz, a Socket.IO server
 * with namespaces /rooms and /notes, and the handshake check on both. main.ts and the
 * tests start it with listen() and stop it with close().
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { authMiddleware } from './auth.js';
import type { Config } from './config.js';
import { httpHandler } from './health.js';
import { createLogger, type Logger } from './logger.js';
import { registerNotes } from './notes/notes-handlers.js';
import { registerRooms, type RoomsStats } from './rooms/rooms-handlers.js';
import type { NotesNamespace, RoomsNamespace } from './socket-types.js';
import type { NoteStore } from './store/note-store.js';

/** Socket.IO refuses bigger messages; the largest legal payload (a note) is far below. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

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
  /** Listens on `config.host:config.port`; with port 0 the answer holds the real port. */
  listen(): Promise<ListenInfo>;
  /** Disconnects every socket and stops listening and timers. The store stays open: the caller owns it. */
  close(): Promise<void>;
  /** Counters for tests and future metrics. */
  stats(): RoomsStats;
}

/** A browser's Origin header must be listed; clients without one (native, tests) are not browsers. */
function originCheck(allowed: string[]) {
  return (req: IncomingMessage, done: (err: string | null | undefined, success: boolean) => void) => {
    const origin = req.headers.origin;
    done(null, origin === undefined || allowed.includes(origin));
  };
}

export function createApp({ store, config, logger = createLogger(config.logLevel) }: AppOptions): App {
  const httpServer = createServer(httpHandler(store, logger));
  const anyOrigin = config.allowedOrigins.length === 0;
  const io = new Server(httpServer, {
    transports: ['websocket', 'polling'],
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    cors: { origin: anyOrigin ? true : config.allowedOrigins },
    // CORS does not cover WebSocket upgrades, so the origin is checked on every request.
    ...(anyOrigin ? {} : { allowRequest: originCheck(config.allowedOrigins) }),
  });

  // One Server carries namespaces with different event maps, so each gets its own typed view.
  const roomsNsp = io.of('/rooms') as RoomsNamespace;
  const notesNsp = io.of('/notes') as NotesNamespace;
  const auth = authMiddleware(store, logger);
  roomsNsp.use(auth);
  notesNsp.use(auth);
  const rooms = registerRooms(roomsNsp, { tickHz: config.tickHz, logger });
  registerNotes(notesNsp, { store, logger });

  const listen = () =>
    new Promise<ListenInfo>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off('error', reject);
        const { port } = httpServer.address() as AddressInfo;
        const host = config.host.includes(':') ? `[${config.host}]` : config.host;
        resolve({ port, host: config.host, url: `http://${host}:${port}` });
      });
    });

  const close = async () => {
    // Timer first: disconnecting sockets below marks cursors dirty and would wake it again.
    rooms.close();
    await io.close();
  };

  return { httpServer, io, listen, close, stats: rooms.stats };
}
