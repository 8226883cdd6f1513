// What survives a restart on the same data (DATA_DIR, or DATABASE_URL): notes and the secret of each clientId.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Note, Result } from '../../protocol/index.js';
import { DB_FILE } from '../../server/store/sqlite-store.js';
import { ask, handshakeError, makeAuth } from '../support/clients.js';
import { startTestServer, STORE_KINDS, type TestServer } from '../support/test-server.js';

const ROOM = 'public|https://example.com/article';

describe.each(STORE_KINDS)('%s store', (kind) => {
  let server: TestServer | undefined;
  afterEach(() => server?.dispose());

  it('keeps notes and client secrets across a restart on the same data', async () => {
    const first = await startTestServer({ store: kind });
    const auth = makeAuth();
    const alice = await first.notes(auth);
    await ask(alice, 'notes:subscribe', { room: ROOM });
    const payload = {
      room: ROOM,
      opId: randomBytes(9).toString('base64url'),
      anchor: { selectors: [{ type: 'TextPositionSelector', start: 3, end: 9 }] },
      body: 'still here tomorrow',
    };
    const stored = (await ask(alice, 'note:create', payload)) as Result<Note>;
    expect(stored.ok).toBe(true);
    await first.stop();
    // SQLite keeps them in its file; PostgreSQL in the database, which the restart reuses.
    expect(existsSync(join(first.dataDir, DB_FILE))).toBe(kind === 'sqlite');

    server = await startTestServer(first.sameData());
    const again = await server.notes(auth);
    expect(await ask(again, 'notes:subscribe', { room: ROOM })).toEqual({
      ok: true,
      value: {
        notes: [(stored as { value: Note }).value],
        deleted: [],
        next: null,
        revision: 1,
        reset: false,
      },
    });
    // And the room's revision: a client that had revision 1 gets nothing new.
    expect(await ask(again, 'notes:subscribe', { room: ROOM, since: 1 })).toEqual({
      ok: true,
      value: { notes: [], deleted: [], next: null, revision: 1, reset: false },
    });
    // The opId is remembered too: a retry after the restart stores nothing new.
    expect(await ask(again, 'note:create', payload)).toEqual(stored);
    const impostor = await handshakeError(server.url, '/notes', {
      ...auth,
      secret: 'a-different-secret-0123',
    });
    expect(impostor.data).toMatchObject({ code: 'forbidden' });
  });
});
