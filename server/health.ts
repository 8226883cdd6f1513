/**
 * The plain HTTP side of the server: `GET /healthz` answers 200 while the store reads and
 * writes, 503 with what is wrong when it does not (`store: 'read-only'` after a failed write,
 * until one succeeds; `'unreachable'`); `GET /metrics` is the Prometheus text
 * format; every other path is 404. Socket.IO handles its own path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { RedisState } from './cluster/redis-link.js';
import type { NoteStore } from './store/note-store.js';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Several-node mode: which node answers, and the state of its link to Redis. */
export interface ClusterHealth {
  nodeId: string;
  redis: () => RedisState;
}

/**
 * `cluster`: the node's id and its Redis link's state, reported beside the store's (the node
 * behind a balancer is otherwise anonymous). A node whose Redis is away still serves its own
 * people (200); only cross-node traffic and presence are degraded.
 */
export function httpHandler(
  store: NoteStore,
  logger: Logger,
  metrics: Metrics,
  cluster: ClusterHealth | null = null,
) {
  const withCluster = <T extends object>(body: T) =>
    cluster ? { ...body, node: cluster.nodeId, redis: cluster.redis() } : body;
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      metrics.render().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'metrics failed');
          sendJson(res, 500, { ok: false, error: 'metrics failed' });
        },
      );
      return;
    }
    if (req.method !== 'GET' || path !== '/healthz') {
      sendJson(res, 404, { ok: false, error: 'not found' });
      return;
    }
    store.health().then(
      (health) => {
        if (!health.ok) logger.warn({ store: health.store, reason: health.reason }, 'store degraded');
        sendJson(res, health.ok ? 200 : 503, withCluster(health));
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'health check failed');
        const body = { ok: false, store: 'unreachable', reason: 'health check failed' };
        sendJson(res, 503, withCluster(body));
      },
    );
  };
}
