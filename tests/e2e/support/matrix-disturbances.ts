/**
 * What can happen to the cross-feature matrix's flows halfway: nothing, Chrome stopping
 * both users' service workers, the server restarting, or Alice going offline (her link to
 * the server cut, Bob and the server up) while she writes the first note: it must wait in
 * her outbox and arrive once she is back, also when a new worker has to send it.
 */
import type { CollabServer } from './collab-server.js';
import type { Seat } from './matrix-rooms.js';
import type { NetworkLink } from './network-link.js';
import { cards, pendingItems } from './notes-ui.js';
import { terminateWorker } from './sharing.js';

export type DisturbanceKind =
  'none' | 'worker-terminated' | 'server-restarted' | 'offline-note' | 'offline-worker-stopped';

/** One cell's cast: both users on the cell's page and the server they share. */
export interface Cell {
  alice: Seat;
  bob: Seat;
  server: CollabServer;
  /** Alice's way to the server, which the offline disturbances cut. */
  aliceLink: NetworkLink;
}

export interface Disturbance {
  kind: DisturbanceKind;
  /** How the test names it. */
  label: string;
  /** Runs Alice's `write` of the first note (whose body contains `body`). */
  create(cell: Cell, body: string, write: () => Promise<void>): Promise<void>;
  /** Runs once the first note reached Bob, before the remaining flows. */
  midFlow(cell: Cell): Promise<void>;
}

/**
 * Alice writes with her browser offline; with `stopWorker`, Chrome also stops her worker
 * before she is back (it does so after 30 s idle), so a new worker sends what the outbox kept.
 */
async function offline(
  { alice, bob, aliceLink }: Cell,
  body: string,
  write: () => Promise<void>,
  stopWorker: boolean,
) {
  aliceLink.cut();
  try {
    await write();
    await pendingItems(alice.page).filter({ hasText: body }).waitFor();
    if ((await cards(bob.page).count()) !== 0) throw new Error('a note left an offline browser');
    if (stopWorker) await terminateWorker(alice.user, alice.page);
  } finally {
    aliceLink.restore();
  }
  await pendingItems(alice.page).first().waitFor({ state: 'detached' });
}

const asIs = (_cell: Cell, _body: string, write: () => Promise<void>) => write();
const nothing = async () => undefined;

export const DISTURBANCES: Disturbance[] = [
  { kind: 'none', label: 'undisturbed', create: asIs, midFlow: nothing },
  {
    kind: 'worker-terminated',
    label: 'service workers terminated mid-flow',
    create: asIs,
    async midFlow({ alice, bob }) {
      await terminateWorker(alice.user, alice.page);
      await terminateWorker(bob.user, bob.page);
    },
  },
  {
    kind: 'server-restarted',
    label: 'server restarted mid-flow',
    create: asIs,
    async midFlow({ server }) {
      await server.stop();
      await server.restart();
    },
  },
  {
    kind: 'offline-note',
    label: 'note written offline, delivered later',
    create: (cell, body, write) => offline(cell, body, write, false),
    midFlow: nothing,
  },
  {
    kind: 'offline-worker-stopped',
    label: 'note written offline, worker stopped before delivery',
    create: (cell, body, write) => offline(cell, body, write, true),
    midFlow: nothing,
  },
];
