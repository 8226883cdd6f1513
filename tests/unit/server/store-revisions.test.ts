/** The catch-up-by-revision contract (store-revisions.contract.ts) against SQLite in a temporary file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../server/store/sqlite-store.js';
import { revisionContract } from './store-revisions.contract.js';

revisionContract(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'copresence-revisions-'));
  const store = SqliteStore.open(dataDir);
  return {
    store,
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
