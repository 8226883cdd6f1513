/**
 * Server configuration from the environment, parsed once at start-up with zod so a
 * typo in a variable stops the process with a message instead of a half-working server.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';
import { PRESENCE_TTL_MS } from '../protocol/index.js';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// An unset variable and an empty one mean the same thing: `PORT= npm start` uses the default.
const unsetIfEmpty = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

// `scheme://host[:port]` without a path. Checked by hand because WHATWG URL gives
// `chrome-extension://...` an opaque origin ("null").
const ORIGIN = /^([a-z][a-z0-9+.-]*:\/\/[^/\s?#]+|\*)$/i;

const Origins = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim().replace(/\/$/, ''))
      .filter((origin) => origin !== ''),
  )
  .pipe(z.array(z.string().regex(ORIGIN, 'expected a comma list of origins like https://example.com')));

// Addresses of reverse proxies (nginx in deploy/) whose X-Forwarded-For is believed.
const Proxies = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((address) => address.trim())
      .filter((address) => address !== ''),
  )
  .pipe(z.array(z.string().refine((a) => isIP(a) !== 0, 'expected a comma list of IP addresses')));

/** Every limit of docs/SECURITY.md that an operator may change. */
export interface Limits {
  /**
   * Open Engine.IO connections per remote address (IPv6: per /64); more are refused at the
   * handshake. Also sizes every other per-address budget (limits.ts addressFactor).
   */
  connectionsPerIp: number;
  /**
   * Proxies whose `X-Forwarded-For` names the client: behind one, every per-address limit
   * applies to the address it forwarded for. Empty: the header is ignored (a client could
   * write any address in it).
   */
  trustedProxies: string[];
  /** Rooms one socket may be in, per namespace. */
  roomsPerSocket: number;
  /** Multiplies every token bucket's rate and size (server/limits.ts, server/budgets.ts); 1 in production. */
  rateLimitScale: number;
  /** Bytes queued for one connection that does not read before it is closed (server/send-queue.ts). */
  queuedBytesPerConnection: number;
  /** Notes one room may hold; one more is `too_large`. */
  notesPerRoom: number;
  /** Notes one clientId may create in any 24 hours, over all rooms; more are `rate_limited`. */
  notesPerAuthorPerDay: number;
  /** An identity (clientId) not seen for this many days and owning no note is forgotten. */
  identityIdleDays: number;
}

const Env = z.object({
  PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65_535).default(8080)),
  HOST: z.preprocess(unsetIfEmpty, z.string().default('127.0.0.1')),
  DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default('./data')),
  DATABASE_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'expected postgres://user:password@host:port/database')
      .optional(),
  ),
  REDIS_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'expected redis://[user:password@]host:port[/db]')
      .optional(),
  ),
  NODE_ID: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1 to 64 letters, digits, dots, dashes or underscores')
      .optional(),
  ),
  TICK_HZ: z.preprocess(unsetIfEmpty, z.coerce.number().positive().max(1000).default(60)),
  // Clients keep alive every KEEPALIVE_MS (protocol/presence.ts); a TTL below it drops present users
  // between keep-alives (allowed down to 100 ms, for tests that want ghosts to go quickly).
  PRESENCE_TTL_MS: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(100).default(PRESENCE_TTL_MS)),
  ALLOWED_ORIGINS: z.preprocess(unsetIfEmpty, Origins.default([])),
  MAX_CONNECTIONS_PER_IP: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).default(50)),
  TRUSTED_PROXIES: z.preprocess(unsetIfEmpty, Proxies.default([])),
  MAX_ROOMS_PER_SOCKET: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).default(50)),
  RATE_LIMIT_SCALE: z.preprocess(unsetIfEmpty, z.coerce.number().positive().default(1)),
  MAX_QUEUED_BYTES: z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number()
      .int()
      .min(65_536)
      .default(4 * 1024 * 1024),
  ),
  MAX_NOTES_PER_ROOM: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).default(5_000)),
  MAX_NOTES_PER_AUTHOR_PER_DAY: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).default(500)),
  IDENTITY_IDLE_DAYS: z.preprocess(unsetIfEmpty, z.coerce.number().positive().default(30)),
  ADMIN_USER: z.preprocess(unsetIfEmpty, z.string().optional()),
  ADMIN_PASSWORD: z.preprocess(unsetIfEmpty, z.string().min(8).optional()),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === 'string' ? unsetIfEmpty(value.toLowerCase()) : value),
    z.enum(LOG_LEVELS).default('info'),
  ),
});

export interface Config {
  port: number;
  host: string;
  /** Directory of the embedded SQLite file. */
  dataDir: string;
  /** postgres://... : the notes live in PostgreSQL, shared by every node; null: SQLite under dataDir. */
  databaseUrl: string | null;
  /** redis://... : several-node mode (Redis adapter and cluster-wide presence); null: one node. */
  redisUrl: string | null;
  /** This node's name in logs, metrics and Redis; hostname and pid unless NODE_ID is set. */
  nodeId: string;
  /** Cursor flushes per second. */
  tickHz: number;
  /**
   * Presence time-to-live: a membership not heard of for this long is dropped and its
   * peer announced as left. Clients keep alive every 10 s, so keep it well above.
   */
  presenceTtlMs: number;
  /**
   * Origins allowed to connect. Empty: any `chrome-extension://` or `moz-extension://`
   * origin. `*` allows any. Requests without an Origin header (not browsers) always pass.
   */
  allowedOrigins: string[];
  logLevel: LogLevel;
  limits: Limits;
  /** Credentials of @socket.io/admin-ui on `/admin`; null keeps it off. */
  admin: { user: string; password: string } | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the server configuration from `env`; throws {@link ConfigError} listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if ((e.ADMIN_USER === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('invalid environment: ADMIN_USER and ADMIN_PASSWORD: set both or neither');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    nodeId: e.NODE_ID ?? `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64),
    tickHz: e.TICK_HZ,
    presenceTtlMs: e.PRESENCE_TTL_MS,
    allowedOrigins: e.ALLOWED_ORIGINS,
    logLevel: e.LOG_LEVEL,
    limits: {
      connectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      trustedProxies: e.TRUSTED_PROXIES,
      roomsPerSocket: e.MAX_ROOMS_PER_SOCKET,
      rateLimitScale: e.RATE_LIMIT_SCALE,
      queuedBytesPerConnection: e.MAX_QUEUED_BYTES,
      notesPerRoom: e.MAX_NOTES_PER_ROOM,
      notesPerAuthorPerDay: e.MAX_NOTES_PER_AUTHOR_PER_DAY,
      identityIdleDays: e.IDENTITY_IDLE_DAYS,
    },
    admin:
      e.ADMIN_USER !== undefined && e.ADMIN_PASSWORD !== undefined
        ? { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD }
        : null,
  };
}
