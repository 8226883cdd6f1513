/**
 * The encoders of a /rooms namespace, one per cursor format, and a room's share of a flush:
 * a batch for each format some member of the room (on any node) asked for, sent by that
 * format's encoder.
 */
import type { CursorEntry } from '../../protocol/index.js';
import type { CursorEncoder, CursorFormat, CursorOutlet, RoomCursors } from './cursor-encoder.js';
import { ObjectsEncoder, type ObjectsBatch } from './encode-objects.js';
import { PackedEncoder, type NumberPath, type PackedBatch } from './encode-packed.js';

export interface CursorBatches {
  packed: PackedBatch;
  objects: ObjectsBatch;
}

/** Other nodes' entries of a room per format, as they arrived since its last flush. */
export interface RemoteEntries {
  packed: number[];
  objects: CursorEntry[];
}

export interface CursorEncoders {
  readonly packed: PackedEncoder;
  readonly objects: CursorEncoder<ObjectsBatch, CursorEntry>;
}

/** `numberPath`: several nodes, where the cluster numbers packed paths; null on one node. */
export const createCursorEncoders = (numberPath: NumberPath | null = null): CursorEncoders => ({
  packed: new PackedEncoder(numberPath),
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
  remote: RemoteEntries,
): CursorFlush {
  const batches: Partial<CursorBatches> = {};
  const packed = cursorsOf('packed');
  if (packed) batches.packed = encoders.packed.encode(packed, remote.packed);
  const objects = cursorsOf('objects');
  if (objects) batches.objects = encoders.objects.encode(objects, remote.objects);
  return { room, batches };
}

/** Sends a room's flush, packed members first (as the extension's are most). */
export function sendFlush(
  outlet: CursorOutlet,
  encoders: CursorEncoders,
  { room, batches }: CursorFlush,
): void {
  if (batches.packed) encoders.packed.send(outlet, room, batches.packed);
  if (batches.objects) encoders.objects.send(outlet, room, batches.objects);
}

/** The room is gone from this process: every encoder forgets it. */
export function forgetRoom(encoders: CursorEncoders, room: string): void {
  encoders.packed.forget(room);
  encoders.objects.forget(room);
}
