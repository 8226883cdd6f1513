// Private rooms: room:create, the invite key on room:join and notes:subscribe, room:list, restarts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isPrivateChannel,
  parseInviteCode,
  roomIdFor,
  type Result,
  type RoomCreated,
  type RoomSummary,
} from '../../protocol/index.js';
import { ask } from '../support/clients.js';
import { startTestServer, STORE_KINDS, type TestServer } from '../support/test-server.js';
import { record } from '../support/wait.js';

const PAGE = 'https://example.com/article';

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}
const code = (result: unknown) =>
  (result as Result<unknown>).ok === false && (result as { error: { code: string } }).error.code;

describe.each(STORE_KINDS)('%s store', (kind) => {
  describe('private rooms', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ store: kind });
    });
    afterEach(() => server.dispose());

    async function created(): Promise<RoomCreated> {
      const owner = await server.rooms();
      return value<RoomCreated>(await ask(owner, 'room:create', { page: PAGE + '#frag' }));
    }

    it('answers a fresh channel, key and invite code, and stores only a hash of the key', async () => {
      const room = await created();
      expect(isPrivateChannel(room.channel)).toBe(true);
      expect(room.key).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
      expect(room.room).toBe(roomIdFor(PAGE, room.channel));
      expect(parseInviteCode(room.invite)).toEqual({ channel: room.channel, key: room.key });
      const other = await created();
      expect(other.channel).not.toBe(room.channel);
      expect(other.key).not.toBe(room.key);
      const stored = await server.store.getPrivateRoomKeyHash(PAGE, room.channel);
      expect(stored).toMatch(/^[0-9a-f]{64}$/);
      expect(stored).not.toContain(room.key);
    });

    it('lets in a joiner with the key and refuses one without it or with another', async () => {
      const room = await created();
      const guest = await server.rooms();
      expect(code(await ask(guest, 'room:join', { page: PAGE, channel: room.channel }))).toBe('forbidden');
      const wrong = 'x'.repeat(room.key.length);
      expect(code(await ask(guest, 'room:join', { page: PAGE, channel: room.channel, key: wrong }))).toBe(
        'forbidden',
      );
      // The key opens the room on the page it was made for only.
      const elsewhere = { page: 'https://example.com/other', channel: room.channel, key: room.key };
      expect(code(await ask(guest, 'room:join', elsewhere))).toBe('forbidden');
      const joined = value<{ room: string }>(
        await ask(guest, 'room:join', { page: PAGE, channel: room.channel, key: room.key }),
      );
      expect(joined.room).toBe(room.room);
    });

    it('refuses a private-looking channel that nobody created', async () => {
      const squatter = await server.rooms();
      const result = await ask(squatter, 'room:join', {
        page: PAGE,
        channel: 'p-abcdefghijkl',
        key: 'k'.repeat(32),
      });
      expect(code(result)).toBe('forbidden');
    });

    it('needs the key on notes:subscribe, and a refused socket gets none of the room’s notes', async () => {
      const room = await created();
      const member = await server.notes();
      value(await ask(member, 'notes:subscribe', { room: room.room, key: room.key }));
      const outsider = await server.notes();
      const seen = record(outsider, 'note:created');
      expect(code(await ask(outsider, 'notes:subscribe', { room: room.room }))).toBe('forbidden');
      expect(code(await ask(outsider, 'notes:subscribe', { room: room.room, key: 'y'.repeat(32) }))).toBe(
        'forbidden',
      );
      const note = { room: room.room, opId: 'op-private-1', anchor: { selectors: [] }, body: 'secret' };
      value(await ask(member, 'note:create', note));
      expect(code(await ask(outsider, 'note:create', { ...note, opId: 'op-private-2' }))).toBe('forbidden');
      // The outsider's own create was refused after the member's broadcast went out: nothing came.
      expect(seen).toEqual([]);
    });

    it('never lists a private room, even with people in it', async () => {
      const room = await created();
      const guest = await server.rooms();
      value(await ask(guest, 'room:join', { page: PAGE, channel: room.channel, key: room.key }));
      value(await ask(guest, 'room:join', { page: PAGE, channel: 'team' }));
      const listed = value<RoomSummary[]>(await ask(guest, 'room:list', { page: PAGE }));
      expect(listed.map((entry) => entry.channel).sort()).toEqual(['public', 'team']);
    });

    it('keeps private rooms across a restart on the same data directory', async () => {
      const room = await created();
      await server.stop();
      server = await startTestServer(server.sameData());
      const guest = await server.rooms();
      expect(code(await ask(guest, 'room:join', { page: PAGE, channel: room.channel }))).toBe('forbidden');
      value(await ask(guest, 'room:join', { page: PAGE, channel: room.channel, key: room.key }));
    });

    it('refuses room:create for a page that is not http(s)', async () => {
      const owner = await server.rooms();
      expect(code(await ask(owner, 'room:create', { page: 'file:///etc/passwd' }))).toBe('invalid');
    });
  });
});
