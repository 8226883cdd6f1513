/**
 * A small leveled logger writing one JSON object per line to stderr, so stdout stays
 * free for the single "listening" line that scripts and tests read.
 */
import type { LogLevel } from './config.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

type Level = Exclude<LogLevel, 'silent'>;

/** A logger that writes records at `level` and more severe ones to `out` (stderr by default). */
export function createLogger(
  level: LogLevel,
  out: (line: string) => void = (line) => process.stderr.write(line),
) {
  const write = (at: Level, msg: string, fields?: LogFields) => {
    if (RANK[at] > RANK[level]) return;
    out(JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...fields }) + '\n');
  };
  return {
    error: (msg, fields) => write('error', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    debug: (msg, fields) => write('debug', msg, fields),
  } satisfies Logger;
}

/** Turns a thrown value into log fields without losing the stack. */
export function errorFields(error: unknown): LogFields {
  return error instanceof Error ? { err: error.message, stack: error.stack } : { err: String(error) };
}
