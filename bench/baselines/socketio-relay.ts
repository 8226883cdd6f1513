/**
 * Baseline (2): the design of a bare Socket.IO chat broadcast. Default Socket.IO server
 * options; each client authenticates with `{ room, id }`, joins the room and emits
 * `cursor` `{ x, y }`; the server does `socket.to(room).emit('cursor', { id, x, y })`
 * for every message, immediately, with JSON payloads. Run as a child of bench/run.ts.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { announceListening, installStatsResponder } from '../support/server-stats.js';

interface RelayAuth {
  room?: unknown;
  id?: unknown;
}

const httpServer = createServer();
const io = new Server(httpServer);

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as RelayAuth;
  const room = typeof auth.room === 'string' ? auth.room : 'lobby';
  const id = typeof auth.id === 'string' ? auth.id : socket.id;
  void socket.join(room);
  socket.on('cursor', (move: { x?: unknown; y?: unknown }) => {
    socket.to(room).emit('cursor', { id, x: move?.x, y: move?.y });
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  installStatsResponder(httpServer, () => new Promise<void>((resolve) => void io.close(() => resolve())));
  announceListening('socketio-relay', httpServer);
});
