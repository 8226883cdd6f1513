/**
 * Turns the stamps of the browser-path benchmark into latencies. Pure functions, so
 * the definitions below are the whole story of what a figure means.
 *
 * Discrete moves (one pointer jump, then quiet until B's overlay settled):
 * - start: from A's `pointermove` to the first frame in which B's drawn cursor is closer
 *   to the new point than where it rested, i.e. has started gliding towards it.
 * - arrival: from A's `pointermove` to the first frame in which B's drawn cursor is at
 *   the position where it then rests until the next move (the end of the glide).
 *
 * Continuous drag (page.mouse.move at 60 Hz along a sweep whose x only grows, or only
 * shrinks): most moves are coalesced by the sender (30 Hz) and never sent on their own,
 * so a move is "shown" when the remote cursor gets there:
 * - reach: from A's `pointermove` at x to the first frame in which B's drawn cursor is
 *   at x or beyond it in the sweep's direction. This is the lag a viewer sees behind a
 *   moving pointer; it includes the sender's throttle and the receiver's glide.
 * - onset: start latency of each sweep's first move (B at rest before it).
 */
import type { Stamp } from './page-probes.js';

export interface Summary {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles in ms, rounded to 0.1 ms. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  const round = (v: number | undefined) => (v === undefined ? NaN : Math.round(v * 10) / 10);
  const mean = sorted.length > 0 ? sorted.reduce((sum, v) => sum + v, 0) / sorted.length : NaN;
  return {
    samples: sorted.length,
    p50: round(rank(0.5)),
    p90: round(rank(0.9)),
    p99: round(rank(0.99)),
    max: round(sorted[sorted.length - 1]),
    mean: round(mean),
  };
}

const same = (a: Stamp, b: Stamp) => a[1] === b[1] && a[2] === b[2];
const distance = (a: Stamp, b: Stamp) => Math.hypot(a[1] - b[1], a[2] - b[2]);

/** How far B's resting position may be from A's pointer (px): fractions are rounded to 4 digits. */
export const POSITION_TOLERANCE_PX = 2;

export interface DiscreteResult {
  start: number[];
  arrival: number[];
  /** Moves after which B's cursor never moved, or came to rest somewhere else. */
  lost: number;
}

/**
 * `moves`: one A stamp per discrete move, in order; `draws`: every change of B's drawn
 * position. Each move owns the draws from its own stamp to the next move's.
 */
export function analyzeDiscrete(moves: readonly Stamp[], draws: readonly Stamp[]): DiscreteResult {
  const result: DiscreteResult = { start: [], arrival: [], lost: 0 };
  let d = 0;
  let resting: Stamp | null = null;
  moves.forEach((move, i) => {
    const end = moves[i + 1]?.[0] ?? Infinity;
    while (d < draws.length && (draws[d]?.[0] ?? Infinity) < move[0]) resting = draws[d++] ?? resting;
    const window: Stamp[] = [];
    while (d < draws.length && (draws[d]?.[0] ?? Infinity) < end) window.push(draws[d++] as Stamp);
    const before = resting;
    const final = window[window.length - 1];
    if (final) resting = final;
    // Heading there: strictly closer to where it comes to rest than where it rested before.
    // (A frame that moves the other way is not the overlay showing this move.)
    const first = final && window.find((draw) => !before || distance(draw, final) < distance(before, final));
    const onTarget =
      final !== undefined &&
      Math.abs(final[1] - move[1]) <= POSITION_TOLERANCE_PX &&
      Math.abs(final[2] - move[2]) <= POSITION_TOLERANCE_PX;
    if (!first || !final || !onTarget) {
      result.lost += 1;
      return;
    }
    const arrived = window.find((draw) => same(draw, final)) ?? final;
    result.start.push(first[0] - move[0]);
    result.arrival.push(arrived[0] - move[0]);
  });
  return result;
}

export interface Sweep {
  /** +1: x grows along the sweep; -1: x shrinks. */
  direction: 1 | -1;
  /** A's stamps of this sweep's moves, in order. */
  moves: Stamp[];
  /** B's draws from the sweep's first move until the next sweep's first move. */
  draws: Stamp[];
}

export interface DragResult {
  reach: number[];
  onset: number[];
  /** Moves B's cursor never got to (its sweep ended elsewhere). */
  lost: number;
}

export function analyzeDrag(sweeps: readonly Sweep[]): DragResult {
  const result: DragResult = { reach: [], onset: [], lost: 0 };
  for (const { direction, moves, draws } of sweeps) {
    const first = moves[0];
    const firstDraw = first && draws.find((draw) => draw[0] >= first[0]);
    if (first && firstDraw) result.onset.push(firstDraw[0] - first[0]);
    let d = 0;
    for (const move of moves) {
      // B's drawn x only moves in the sweep's direction, so the search never goes back.
      while (d < draws.length) {
        const draw = draws[d] as Stamp;
        if (draw[0] >= move[0] && direction * (draw[1] - move[1]) >= -POSITION_TOLERANCE_PX) break;
        d += 1;
      }
      const reached = draws[d];
      if (reached) result.reach.push(reached[0] - move[0]);
      else result.lost += 1;
    }
  }
  return result;
}
