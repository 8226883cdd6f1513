/**
 * Who may enter a room and which rooms `room:list` may show. Every channel is open for
 * now; private rooms with invite keys plug in here for both namespaces.
 */

export interface RoomAddress {
  page: string;
  channel: string;
}

/** Whether a client holding `key` (maybe none) may join or subscribe to the room. */
export function canEnter(_room: RoomAddress, _key: string | undefined): boolean {
  // TODO(2026-11-27): check the invite key once private channels exist.
  return true;
}

/** Whether `room:list` may name the channel; private channels will answer false. */
export function isListed(_room: RoomAddress): boolean {
  return true;
}
