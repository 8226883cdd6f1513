/**
 * Every main flow in every kind of room under every disturbance, in real Chromium against
 * the real server: one test per (room, disturbance) cell, so a red cell names itself, and
 * the failing flow leads its error. One browser pair serves every cell: each cell starts
 * on a page of its own (`article.html?cell=…`, a room of its own on the server) and enters
 * its room through the popup, so no cell sees another's notes or peers.
 *
 * Flows, in order: both see each other; Alice writes a note Bob sees (through the
 * disturbance's `create`); the disturbance's `midFlow`; they still see each other; her
 * cursor reaches him; her edit, his reply, his reload, her delete.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DISTURBANCES, type Cell } from './support/matrix-disturbances.js';
import * as flows from './support/matrix-flows.js';
import { ROOMS } from './support/matrix-rooms.js';
import { startLink, type NetworkLink } from './support/network-link.js';
import { overlay } from './support/overlay-probe.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

let users: TwoUsers;
let aliceLink: NetworkLink;

beforeAll(async () => {
  users = await twoUsersOnArticle({
    aliceServerUrl: async (url) => (aliceLink = await startLink(url)).url,
  });
});

afterAll(async () => {
  await users?.close();
  await aliceLink?.close();
});

/** Runs one flow; its name leads any error, so the report says which flow of the cell broke. */
async function flow(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

const byName = <T>(list: T[], name: (item: T) => string) => list.map((item) => [name(item), item] as const);

describe.each(byName(ROOMS, (room) => room.kind))('matrix: %s room', (_kind, room) => {
  it.each(byName(DISTURBANCES, (disturbance) => disturbance.label))('%s', async (_label, disturbance) => {
    const name = `${room.kind}-${disturbance.kind}`;
    const cell: Cell = {
      alice: { name: 'Alice', user: users.alice, page: users.alicePage },
      bob: { name: 'Bob', user: users.bob, page: users.bobPage },
      server: users.server,
      aliceLink,
    };
    for (const { page } of [cell.alice, cell.bob]) {
      await page.goto(`${users.pages.url}/article.html?cell=${name}`);
      await overlay(page).locator('[data-collab-notes-toggle]').waitFor();
    }
    await flow('enter the room', () => room.enter(cell.alice, cell.bob, name));
    const label = room.label(name);
    const texts = flows.textsFor(name);

    await flow('presence', () => flows.presence(cell, label));
    await flow('create', () => flows.create(cell, disturbance, texts));
    await flow(disturbance.kind, () => disturbance.midFlow(cell));
    await flow('presence after it', () => flows.presence(cell, label));
    await flow('cursor', () => flows.cursor(cell));
    await flow('edit', () => flows.edit(cell, texts));
    await flow('reply', () => flows.reply(cell, texts));
    await flow('reload', () => flows.reload(cell, label, texts));
    await flow('delete', () => flows.remove(cell, texts));
  });
});
