/**
 * Wire protocol v1, namespace /rooms: presence, rooms and cursors. docs/PROTOCOL.md documents
 * each field; keep them in step.
 */
import { z } from 'zod';
import { MAX_PAGE_LENGTH } from './page-url.js';
import { LIMITS, Color, Name, Fraction, RoomId } from './schemas.js';

// ---------------------------------------------------------------------------
// Presence and cursors (namespace /rooms)

/** Someone in a room. `id` is stable for a `clientId` within a room. */
export const Peer = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string(),
  /** True after a while without input. */
  idle: z.boolean(),
  /** Small number of this peer in this room, for packed cursor batches (protocol/cursor-packing.ts). */
  no: z.number().int().positive().optional(),
});
export type Peer = z.infer<typeof Peer>;

/** The character under the pointer, inside the anchor element: survives text reflowing. */
export const CursorTextAnchor = z.object({
  /** Offset of the character in the element's `textContent`. */
  offset: z.number().int().min(0).max(1_000_000),
  /** Fraction of that character's box width. */
  fx: Fraction,
  /** Fraction of that character's box height. */
  fy: Fraction,
});
export type CursorTextAnchor = z.infer<typeof CursorTextAnchor>;

/** An element under the pointer and where inside its box the pointer was. */
export const CursorAnchor = z.object({
  /** Short CSS selector path of the element, from the nearest element with an id or from `body`. */
  path: z.string().min(1).max(LIMITS.cssPath),
  /** Fraction of the element's width. */
  fx: Fraction,
  /** Fraction of the element's height. */
  fy: Fraction,
  /** Set when the pointer is over text: receivers place the cursor on that character first. */
  text: CursorTextAnchor.optional(),
});
export type CursorAnchor = z.infer<typeof CursorAnchor>;

/** A pointer position: fractions of the document's scroll size, plus an element anchor. */
export const Cursor = z.object({
  x: Fraction,
  y: Fraction,
  anchor: CursorAnchor.optional(),
});
export type Cursor = z.infer<typeof Cursor>;

export const RoomJoin = z.object({
  /** The page URL; the server normalises it again. */
  page: z.string().min(1).max(MAX_PAGE_LENGTH),
  /** Omitted or "public" for the page's public room. */
  channel: z.string().max(LIMITS.channel).optional(),
  /** Invite key of a private room. */
  key: z.string().max(LIMITS.key).optional(),
  /** How this socket wants cursor batches: `cursor:batch` objects (default) or `cursor:packed`. */
  cursorFormat: z.enum(['objects', 'packed']).optional(),
});
export type RoomJoin = z.infer<typeof RoomJoin>;

export const RoomJoined = z.object({
  room: RoomId,
  /** The room's number in `cursor:packed` batches on this connection's server. */
  roomNo: z.number().int().positive().optional(),
  self: Peer,
  peers: z.array(Peer),
});
export type RoomJoined = z.infer<typeof RoomJoined>;

/** `room:create`: a new private room on the page; the server makes its channel and key. */
export const RoomCreate = z.object({ page: z.string().min(1).max(MAX_PAGE_LENGTH) });
export type RoomCreate = z.infer<typeof RoomCreate>;

/** Ack of `room:create`. The key is shown once; the server keeps only its hash. */
export const RoomCreated = z.object({
  room: RoomId,
  channel: z.string(),
  key: z.string(),
  /** `formatInviteCode(channel, key)`: what the creator shares. */
  invite: z.string(),
});
export type RoomCreated = z.infer<typeof RoomCreated>;

export const RoomRef = z.object({ room: RoomId });
export type RoomRef = z.infer<typeof RoomRef>;

export const RoomList = z.object({ page: z.string().min(1).max(MAX_PAGE_LENGTH) });
export type RoomList = z.infer<typeof RoomList>;

export const RoomSummary = z.object({ channel: z.string(), room: RoomId, count: z.number().int() });
export type RoomSummary = z.infer<typeof RoomSummary>;

export const PresenceUpdate = z.object({
  room: RoomId,
  name: Name.optional(),
  color: Color.optional(),
  idle: z.boolean().optional(),
});
export type PresenceUpdate = z.infer<typeof PresenceUpdate>;

export const CursorMove = z.object({ room: RoomId, cursor: Cursor });
export type CursorMove = z.infer<typeof CursorMove>;

/** One entry of a batch: the peer's latest cursor, or null when it left the page. */
export const CursorEntry = z.object({ peerId: z.string(), cursor: Cursor.nullable() });
export type CursorEntry = z.infer<typeof CursorEntry>;

export const CursorBatch = z.object({ room: RoomId, cursors: z.array(CursorEntry) });
export type CursorBatch = z.infer<typeof CursorBatch>;

/** Numbers of element paths used by later `cursor:packed` batches of the room. */
export const CursorPaths = z.object({
  room: RoomId,
  paths: z.array(z.tuple([z.number().int().positive(), z.string().min(1).max(LIMITS.cssPath)])),
  /**
   * The room's number in later `cursor:packed` batches, when it changed since the join
   * (several nodes, after a Redis outage: the cluster's number replaces the node's).
   */
  roomNo: z.number().int().positive().optional(),
});
export type CursorPaths = z.infer<typeof CursorPaths>;

export const PresenceJoined = z.object({ room: RoomId, peer: Peer });
export type PresenceJoined = z.infer<typeof PresenceJoined>;
export const PresenceLeft = z.object({ room: RoomId, peerId: z.string() });
export type PresenceLeft = z.infer<typeof PresenceLeft>;
export const PresenceUpdated = z.object({ room: RoomId, peer: Peer });
export type PresenceUpdated = z.infer<typeof PresenceUpdated>;
