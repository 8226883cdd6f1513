/**
 * Baseline (1): the design of a bare WebSocket mouse-sharing app. A plain `ws` server;
 * each client connects to `/?room=<room>&id=<id>` and sends `{"x":..,"y":..}` JSON
 * messages; the server parses each one, stamps the sender's id and forwards one
 * serialised copy to every other client of the room, immediately. No batching, no
 * validation beyond JSON.parse, no acks. Run as a child of bench/run.ts.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { announceListening, installStatsResponder } from '../support/server-stats.js';

const rooms = new Map<string, Set<WebSocket>>();

const httpServer = createServer((_req, res) => {
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server: httpServer });

wss.on('connection', (ws, req) => {
  const query = new URL(req.url ?? '/', 'http://relay').searchParams;
  const room = query.get('room') ?? 'lobby';
  const id = query.get('id') ?? Math.random().toString(36).slice(2);
  let members = rooms.get(room);
  if (!members) {
    members = new Set();
    rooms.set(room, members);
  }
  members.add(ws);

  ws.on('message', (data) => {
    let move: { x?: unknown; y?: unknown };
    try {
      move = JSON.parse(data.toString()) as { x?: unknown; y?: unknown };
    } catch {
      return;
    }
    const out = JSON.stringify({ id, x: move.x, y: move.y });
    for (const other of members) {
      if (other !== ws && other.readyState === other.OPEN) other.send(out);
    }
  });
  ws.on('close', () => {
    members.delete(ws);
    if (members.size === 0) rooms.delete(room);
  });
});

httpServer.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  installStatsResponder(httpServer, async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => httpServer.close(() => resolve())));
  });
  announceListening('ws-relay', httpServer);
});
