/**
 * Logging through pino, one JSON object per line on stderr, so stdout stays free for
 * the single "listening" line that scripts and tests read.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './config.js';

/** The part of pino the server uses; tests may pass any pino logger. */
export type Logger = Pick<PinoLogger, 'error' | 'warn' | 'info' | 'debug'>;

/** `node` names the process in every line (several-node mode: NODE_ID). */
export function createLogger(level: LogLevel, node?: string): Logger {
  // Synchronous writes: a log line right before process.exit() must not be lost.
  return pino(
    { level, ...(node === undefined ? {} : { base: { node } }) },
    pino.destination({ dest: 2, sync: true }),
  );
}
