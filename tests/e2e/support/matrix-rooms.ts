/**
 * The kinds of room the cross-feature matrix runs its flows in, each entered the way a
 * user does it in the popup: the page's public room (nothing to do), a named room (both
 * type the same name), a private room (Alice creates it, Bob pastes her invite code).
 */
import type { Page } from 'playwright-core';
import type { BrowserUser } from './browser-user.js';

export type RoomKind = 'public' | 'named' | 'private';

/** One user on the matrix page: the browser and the tab the flows run in. */
export interface Seat {
  name: string;
  user: BrowserUser;
  page: Page;
}

export interface RoomSpec {
  kind: RoomKind;
  /** Moves both users' tabs (already on the cell's page, in its public room) into the room. */
  enter(alice: Seat, bob: Seat, cell: string): Promise<void>;
  /** What the page's sharing pill calls the room, so presence can be read off the page. */
  label(cell: string): string;
}

/** Opens the popup for the seat's tab, runs `act` in it, waits for `channel` and goes back to the page. */
async function inPopup(seat: Seat, act: (popup: Page) => Promise<void>, channel: string): Promise<void> {
  const popup = await seat.user.openPopup(seat.page);
  try {
    await act(popup);
    await popup.locator('#room .channel').filter({ hasText: channel }).waitFor();
  } finally {
    await popup.close();
    await seat.page.bringToFront();
  }
}

const joinNamed = (seat: Seat, name: string) =>
  inPopup(
    seat,
    async (popup) => {
      await popup.locator('#room-name').fill(name);
      await popup.locator('#room-go').click();
    },
    name,
  );

export const ROOMS: RoomSpec[] = [
  {
    kind: 'public',
    enter: async () => undefined,
    label: () => 'public room',
  },
  {
    kind: 'named',
    async enter(alice, bob, cell) {
      await joinNamed(alice, cell);
      await joinNamed(bob, cell);
    },
    label: (cell) => cell,
  },
  {
    kind: 'private',
    async enter(alice, bob) {
      let invite = '';
      await inPopup(
        alice,
        async (popup) => {
          await popup.locator('#private-create').click();
          await popup.locator('#invite').waitFor();
          invite = await popup.locator('#invite-code').inputValue();
        },
        'Private room',
      );
      await inPopup(
        bob,
        async (popup) => {
          await popup.locator('#invite-input').fill(invite);
          await popup.locator('#invite-join').click();
        },
        'Private room',
      );
    },
    label: () => 'private room',
  },
];
