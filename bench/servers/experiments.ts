/**
 * Proposed server changes, applied to our server at run time so they can be measured
 * before anyone edits server/ (the target `ours-next`, `--experiments a,b`). Each one is
 * a sketch of a hot-path change; none of it ships. Names:
 *
 * - `release-request`: drop Engine.IO's reference to the HTTP upgrade request once the
 *   connection is set up (Socket.IO's memory-usage advice), so each idle connection
 *   no longer retains the request, its headers and its socket parser state.
 *
 * The earlier `single-broadcast` and `compact` experiments shipped as the packed cursor
 * format (protocol/cursor-packing.ts); `ours` measures them now.
 */
import type { Server } from 'socket.io';

export const EXPERIMENTS = ['release-request'] as const;
export type Experiment = (typeof EXPERIMENTS)[number];

export function parseExperiments(value: string | undefined): Experiment[] {
  if (!value) return [];
  return value.split(',').map((name) => {
    const trimmed = name.trim();
    if (!(EXPERIMENTS as readonly string[]).includes(trimmed)) {
      throw new Error(`unknown experiment "${trimmed}"; expected ${EXPERIMENTS.join(', ')}`);
    }
    return trimmed as Experiment;
  });
}

/** Applies the experiments to our server: call after createApp, before listen. */
export function applyExperiments(io: Server, experiments: Experiment[]): void {
  if (experiments.includes('release-request')) {
    // Registered after the server's own listeners, so they have read the request by now.
    io.engine.on('connection', (conn: { request: unknown }) => {
      conn.request = null;
    });
  }
}
