/**
 * The encoders of a /rooms namespace, one per cursor format, and a room's share of a flush:
 * a batch for each format some member of the room asked for, sent by that format's encoder.
 */
import type { RoomsNamespace } from '../socket-types.js';
import type { CursorEncoder, CursorFormat, RoomCursors } from './cursor-encoder.js';
import { ObjectsEncoder, type ObjectsBatch } from './encode-objects.js';
import { PackedEncoder, type PackedBatch } from './encode-packed.js';

export interface CursorBatches {
  packed: PackedBatch;
  objects: ObjectsBatch;
}

export type CursorEncoders = { readonly [F in CursorFormat]: CursorEncoder<CursorBatches[F]> };

export const createCursorEncoders = (): CursorEncoders => ({
  packed: new PackedEncoder(),
  objects: new ObjectsEncoder(),
});

/** One room's share of a flush. */
export interface CursorFlush {
  room: string;
  /** A batch per format that some member of the room takes; no other format is encoded. */
  batches: Partial<CursorBatches>;
}

/** Encodes a room's flush in the formats its members take (`cursorsOf` null: nobody takes it). */
export function encodeRoom(
  encoders: CursorEncoders,
  room: string,
  cursorsOf: (format: CursorFormat) => RoomCursors | null,
): CursorFlush {
  const batches: Partial<CursorBatches> = {};
  const packed = cursorsOf('packed');
  if (packed) batches.packed = encoders.packed.encode(packed);
  const objects = cursorsOf('objects');
  if (objects) batches.objects = encoders.objects.encode(objects);
  return { room, batches };
}

/** Sends a room's flush, packed members first (as the extension's are most). */
export function sendFlush(
  nsp: RoomsNamespace,
  encoders: CursorEncoders,
  { room, batches }: CursorFlush,
): void {
  if (batches.packed) encoders.packed.send(nsp, room, batches.packed);
  if (batches.objects) encoders.objects.send(nsp, room, batches.objects);
}

/** The room is gone from this process: every encoder forgets it. */
export function forgetRoom(encoders: CursorEncoders, room: string): void {
  encoders.packed.forget(room);
  encoders.objects.forget(room);
}
