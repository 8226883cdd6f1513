/**
 * Preloaded into a node (`startNode({ preload: [...] })`) to open the window between a commit
 * and its answer: every note:create on PostgreSQL commits, prints `committed <opId>` on stdout,
 * then holds its answer SLOW_ACK_MS. A SIGKILL in that window leaves a stored note whose
 * author never heard of it, the case the outbox's retry with the same opId must get right.
 */
import { PgStore } from '../../server/store/pg-store.js';

const delayMs = Number(process.env.SLOW_ACK_MS ?? '0');
const create = PgStore.prototype.create;

PgStore.prototype.create = async function slowAck(this: PgStore, ...args: Parameters<PgStore['create']>) {
  const result = await create.apply(this, args);
  process.stdout.write(`committed ${args[1]}\n`);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return result;
};
