/**
 * What the worker keeps of each room for the next worker: notes with the revision
 * they are whole up to, per server, within a size bound, read back only when well-formed.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CACHED_CHARS, NotesCache } from '../../../extension/background/notes-cache.js';
import type { StorageAreaLike } from '../../../extension/chrome-api.js';
import type { Note } from '../../../protocol/index.js';

const ROOM = 'public|https://example.com/article';
const SERVER = 'http://127.0.0.1:8080';

function area(): StorageAreaLike & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (keys) => {
      const out: Record<string, unknown> = {};
      for (const key of typeof keys === 'string' ? [keys] : keys) if (data.has(key)) out[key] = data.get(key);
      return out;
    },
    set: async (items) => {
      for (const [key, value] of Object.entries(items)) data.set(key, structuredClone(value));
    },
  };
}

const note = (id: string, body: string, revision: number): Note => ({
  id,
  room: ROOM,
  version: 1,
  revision,
  anchor: { selectors: [] },
  body,
  author: { id: 'peer', name: 'Ada', color: '#112233' },
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
});

describe('NotesCache', () => {
  it('keeps a room’s notes with their revision, as they are when it writes, per server', async () => {
    const storage = area();
    const cache = new NotesCache(storage);
    const notes = [note('a', 'first', 1)];
    cache.save(SERVER, ROOM, () => ({ revision: notes.length, notes: [...notes] }));
    notes.push(note('b', 'second', 2));
    await cache.flush();
    expect(await new NotesCache(storage).load(SERVER, ROOM)).toEqual({ revision: 2, notes });
    expect(await new NotesCache(storage).load('http://other.example', ROOM)).toBeNull();
  });

  it('keeps nothing of a room over the size bound, or once it is left, and reads back nothing malformed', async () => {
    const storage = area();
    const cache = new NotesCache(storage);
    cache.save(SERVER, ROOM, () => ({ revision: 1, notes: [note('a', 'small', 1)] }));
    await cache.flush();
    cache.save(SERVER, ROOM, () => ({ revision: 2, notes: [note('a', 'x'.repeat(MAX_CACHED_CHARS), 2)] }));
    await cache.flush();
    expect(await cache.load(SERVER, ROOM)).toBeNull();

    cache.save(SERVER, ROOM, () => ({ revision: 1, notes: [note('a', 'small', 1)] }));
    await cache.flush();
    cache.forget(SERVER, ROOM);
    await cache.flush();
    expect(await cache.load(SERVER, ROOM)).toBeNull();

    for (const bad of [{ revision: -1, notes: [] }, { revision: 1, notes: [{ id: 'a' }] }, 'notes']) {
      storage.data.set(`notes:${SERVER}|${ROOM}`, bad);
      expect(await cache.load(SERVER, ROOM)).toBeNull();
    }
  });
});
