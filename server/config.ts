/**
 * Server configuration from the environment, parsed once at start-up with zod so a
 * typo in a variable stops the process with a message instead of a half-working server.
 */
import { z } from 'zod';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// An unset variable and an empty one mean the same thing: `PORT= npm start` uses the default.
const unsetIfEmpty = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

// `scheme://host[:port]` without a path. Checked by hand because WHATWG URL gives
// `chrome-extension://...` an opaque origin ("null").
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+$/i;

const Origins = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim().replace(/\/$/, ''))
      .filter((origin) => origin !== ''),
  )
  .pipe(z.array(z.string().regex(ORIGIN, 'expected a comma list of origins like https://example.com')));

const Env = z.object({
  PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65_535).default(8080)),
  HOST: z.preprocess(unsetIfEmpty, z.string().default('127.0.0.1')),
  DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default('./data')),
  TICK_HZ: z.preprocess(unsetIfEmpty, z.coerce.number().positive().max(1000).default(60)),
  ALLOWED_ORIGINS: z.preprocess(unsetIfEmpty, Origins.default([])),
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
  /** Cursor flushes per second. */
  tickHz: number;
  /** Origins allowed to connect; empty allows any. */
  allowedOrigins: string[];
  logLevel: LogLevel;
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
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    tickHz: e.TICK_HZ,
    allowedOrigins: e.ALLOWED_ORIGINS,
    logLevel: e.LOG_LEVEL,
  };
}
