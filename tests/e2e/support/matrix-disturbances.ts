/**
 * What can happen to the cross-feature matrix's flows halfway: nothing, Chrome stopping
 * both users' service workers, the server restarting, or Alice's browser going offline
 * while she writes the first note (it must wait in her outbox and arrive once she is back).
 */
import type { CollabServer } from './collab-server.js';
import type { Seat } from './matrix-rooms.js';
import { cards, pendingItems } from './notes-ui.js';
import { terminateWorker } from './sharing.js';

export type DisturbanceKind = 'none' | 'worker-terminated' | 'server-restarted' | 'offline-note';

/** One cell's cast: both users on the cell's page and the server they share. */
export interface Cell {
  alice: Seat;
  bob: Seat;
  server: CollabServer;
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
    async create({ alice, bob }, body, write) {
      // Emulated for the pages and the extension's service worker of Alice's profile only.
      await alice.user.context.setOffline(true);
      try {
        await write();
        await pendingItems(alice.page).filter({ hasText: body }).waitFor();
        if ((await cards(bob.page).count()) !== 0) throw new Error('a note left an offline browser');
      } finally {
        await alice.user.context.setOffline(false);
      }
      await pendingItems(alice.page).first().waitFor({ state: 'detached' });
    },
    midFlow: nothing,
  },
];
