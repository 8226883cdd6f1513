/**
 * Node 20 has no global WebSocket; the service worker's connection (extension/background/
 * connection.ts) uses the browser's through engine.io-client's WebSocket transport. The `ws`
 * package's class stands in for it in unit and integration tests, so the worker's code runs
 * on a real WebSocket there too (otherwise it would fall back to long-polling, issue 15).
 */
import { WebSocket } from 'ws';

const global = globalThis as { WebSocket?: unknown };
global.WebSocket ??= WebSocket;
