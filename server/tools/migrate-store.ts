/**
 * `npm run migrate:store -- --from <sqlite file> --to <postgres url>`: copies a
 * SQLite store into PostgreSQL (server/store/copy-store.ts) and prints what it copied, per
 * table. Running it again copies nothing. Exits 1 with a message when it cannot copy.
 */
import { parseArgs } from 'node:util';
import { copySqliteToPg, CopyConflictError } from '../store/copy-store.js';

const USAGE = 'usage: npm run migrate:store -- --from ./data/copresence.db --to postgres://user@host/db';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from || !values.to || !/^postgres(ql)?:\/\//.test(values.to)) {
    console.error(USAGE);
    process.exit(2);
  }
  const counts = await copySqliteToPg(values.from, values.to);
  for (const { table, source, copied } of counts) {
    process.stdout.write(
      `${table}: ${copied} copied, ${source - copied} already there (${source} in the source)\n`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof CopyConflictError ? error.message : error);
  process.exit(1);
});
