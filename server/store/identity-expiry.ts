/**
 * Forgets identities nobody uses: every handshake with a new clientId
 * stores a row, so rows of clientIds not seen for `idleDays` that own no note are deleted,
 * now and then every `intervalMs`. A person who comes back with the same clientId and secret
 * simply claims it again; one owning notes is never forgotten.
 */
import type { Logger } from '../logger.js';
import type { NoteStore } from './note-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface IdentityExpiryOptions {
  idleDays: number;
  /** How often to look; an hour by default. */
  intervalMs?: number;
  now?: () => Date;
}

/** Starts expiring identities; the returned function stops it. The timer never keeps the process up. */
export function startIdentityExpiry(
  store: NoteStore,
  logger: Logger,
  options: IdentityExpiryOptions,
): () => void {
  const { idleDays, intervalMs = 60 * 60 * 1000, now = () => new Date() } = options;
  const sweep = () => {
    store.expireClients(new Date(now().getTime() - idleDays * DAY_MS)).then(
      (expired) => {
        if (expired > 0) logger.info({ expired }, 'forgot idle identities');
      },
      (error: unknown) => logger.warn({ err: error }, 'identity expiry failed'),
    );
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  const first = setTimeout(sweep, 0);
  first.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
