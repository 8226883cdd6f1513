/**
 * Preloaded into a server child process (`node --import tsx --import <this file>`) to
 * stand in for a slow disk: every note:create waits SLOW_STORE_MS before it commits, so a
 * signal sent to the process lands while writes are really in flight. The delay is the
 * simulated disk, not a test waiting for something.
 */
import { SqliteStore } from '../../server/store/sqlite-store.js';

const delayMs = Number(process.env.SLOW_STORE_MS ?? '0');
const create = SqliteStore.prototype.create;

SqliteStore.prototype.create = async function slowCreate(
  this: SqliteStore,
  ...args: Parameters<SqliteStore['create']>
) {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return create.apply(this, args);
};
