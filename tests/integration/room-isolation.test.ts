// Room isolation of the packed channel: the Socket.IO room that carries a room's
// packed cursor batches must not be a room id anyone can join.
import { afterEach, describe, expect, it } from 'vitest';
import {
  packedChannelOf,
  roomIdFor,
  type CursorPaths,
  type Result,
  type RoomJoined,
} from '../../protocol/index.js';
import { ask, type RoomsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/article';
/** A channel that is a URL makes `<channel>|<page>` a valid page too. */
const CHANNEL = 'https://evil.example/x';

let server: TestServer;
afterEach(() => server.dispose());

async function join(socket: RoomsClient, page: string, channel: string): Promise<Result<RoomJoined>> {
  return (await ask(socket, 'room:join', { page, channel, cursorFormat: 'packed' })) as Result<RoomJoined>;
}

describe('packed channel isolation', () => {
  it('gives a spy no cursor batch or path of a room whose packed channel it tries to join', async () => {
    server = await startTestServer();
    const [alice, bob] = [await server.rooms(), await server.rooms()];
    const target = roomIdFor(PAGE, CHANNEL);
    const joinedA = await join(alice, PAGE, CHANNEL);
    expect(joinedA.ok && joinedA.value.room).toBe(target);
    await join(bob, PAGE, CHANNEL);

    // Spies on the packed channel's old name (`packed|<room>`), and on its current name.
    const spies = [await server.rooms(), await server.rooms()];
    const oldName = await join(spies[0]!, `${CHANNEL}|${PAGE}`, 'packed');
    expect(oldName.ok && oldName.value.room).toBe(`packed|${target}`);
    const currentName = await join(spies[1]!, `${CHANNEL}|${PAGE}`, `packed ${CHANNEL}`);
    // Either refused, or some other room than the channel's.
    if (currentName.ok) expect(currentName.value.room).not.toBe(packedChannelOf(target));
    const spied = spies.map((spy) => {
      const events: unknown[] = [];
      spy.on('cursor:packed', (batch: number[]) => events.push(batch));
      spy.on('cursor:paths', (paths: CursorPaths) => events.push(paths));
      return events;
    });

    const batch = once(bob, 'cursor:packed');
    alice.emit('cursor:move', {
      room: target,
      cursor: { x: 0.5, y: 0.5, anchor: { path: 'main>p', fx: 0.1, fy: 0.2 } },
    });
    await batch;
    // Anything broadcast with bob's batch was written to the spies before these acks.
    for (const spy of spies) await ask(spy, 'room:list', { page: PAGE });
    expect(spied).toEqual([[], []]);
  });
});
