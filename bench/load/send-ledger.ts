/**
 * How a receiver learns when an update was sent. A cursor carries only fractions, so
 * each update's position encodes the sender's sequence number (x and y hold three
 * decimal digits each, in the middle of a 1/1000 cell, so any server-side rounding
 * to 1/2000 or finer leaves them readable), and the sender writes its send time into
 * a ledger shared by every worker thread of the generator, keyed by (sender, seq).
 * Sender and receiver read the same monotonic clock, so `receive time - ledger time`
 * is the one-way latency through the server, with no clock sync and nothing extra on
 * the wire: every target carries exactly the same cursor values.
 */

/** Ledger slots per sender: more than any sender has in flight (34 s at 30 Hz). */
export const RING = 1024;
const SEQ_LIMIT = 1_000_000;

/**
 * Spreads y over the whole cell range as real pointers do (y alone would stay in the first
 * cells for a whole run, and small numbers would flatter compact encodings): y's cell is
 * the high digits shifted by a multiple of x's cell, which the decoder subtracts again.
 */
const Y_SHIFT = 379;

/** The cursor position that stands for `seq`. */
export function encodeSeq(seq: number): { x: number; y: number } {
  const n = seq % SEQ_LIMIT;
  const low = n % 1000;
  const high = Math.floor(n / 1000);
  return { x: (low + 0.5) / 1000, y: (((high + low * Y_SHIFT) % 1000) + 0.5) / 1000 };
}

/** Inverse of {@link encodeSeq}; tolerates rounding of up to half a cell. */
export function decodeSeq(x: number, y: number): number {
  const low = Math.floor(x * 1000);
  const high = (((Math.floor(y * 1000) - low * Y_SHIFT) % 1000) + 1000) % 1000;
  return high * 1000 + low;
}

export interface LedgerBuffers {
  times: SharedArrayBuffer;
  seqs: SharedArrayBuffer;
  /** Per sender: the last seq it sent, -1 before the first. */
  last: SharedArrayBuffer;
  /** Origin of the stored times on the shared monotonic clock (µs). */
  epochUs: number;
}

export function createLedgerBuffers(senders: number, epochUs: number): LedgerBuffers {
  const bytes = senders * RING * Int32Array.BYTES_PER_ELEMENT;
  const seqs = new SharedArrayBuffer(bytes);
  new Int32Array(seqs).fill(-1);
  const last = new SharedArrayBuffer(senders * Int32Array.BYTES_PER_ELEMENT);
  new Int32Array(last).fill(-1);
  return { times: new SharedArrayBuffer(bytes), seqs, last, epochUs };
}

/**
 * Send times as Int32 microseconds since `epochUs` (enough for 35 minutes per
 * generator process), written and read with Atomics so threads see whole values.
 */
export class SendLedger {
  private readonly times: Int32Array;
  private readonly seqs: Int32Array;
  private readonly last: Int32Array;
  private readonly epochUs: number;

  constructor(buffers: LedgerBuffers) {
    this.times = new Int32Array(buffers.times);
    this.seqs = new Int32Array(buffers.seqs);
    this.last = new Int32Array(buffers.last);
    this.epochUs = buffers.epochUs;
  }

  record(sender: number, seq: number, atUs: number): void {
    const slot = sender * RING + (seq % RING);
    const offset = Math.round(atUs - this.epochUs);
    if (offset > 0x7fffffff) throw new Error('send ledger overflow: a generator ran for over 35 minutes');
    // Invalidate first, so a reader never pairs the new seq with the old time.
    Atomics.store(this.seqs, slot, -1);
    Atomics.store(this.times, slot, offset);
    Atomics.store(this.seqs, slot, seq % SEQ_LIMIT);
    Atomics.store(this.last, sender, seq % SEQ_LIMIT);
  }

  /** The last seq `sender` sent, or -1. */
  lastSent(sender: number): number {
    return Atomics.load(this.last, sender);
  }

  /** The send time of (sender, seq) in µs on the shared clock, or NaN when unknown. */
  sentAt(sender: number, seq: number): number {
    const slot = sender * RING + (seq % RING);
    if (Atomics.load(this.seqs, slot) !== seq) return NaN;
    return this.epochUs + Atomics.load(this.times, slot);
  }
}
