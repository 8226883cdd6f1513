/**
 * The benchmark's workloads with their full and `--quick` sizes, and the timing of a
 * measurement. Full sizes are the ones the targets are set for; quick sizes keep the whole suite within a
 * few minutes on a 2-core machine and are labelled as such wherever they appear.
 */
import type { Schedule } from './load/job.js';

export type WorkloadName = 'fan-out' | 'big-room' | 'idle' | 'notes';
export const WORKLOAD_NAMES: readonly WorkloadName[] = ['fan-out', 'big-room', 'idle', 'notes'];

export interface CursorWorkload {
  kind: 'cursor';
  name: WorkloadName;
  title: string;
  rooms: number;
  usersPerRoom: number;
  hz: number;
  /** Acked note creates per user per second while the cursors run; ours only. */
  notesHz: number;
  /** Also run against the baselines (they have no notes). */
  baselines: boolean;
  /** Measuring clients per room; the rest are load clients (bench/load/light-clients.ts). */
  probesPerRoom: number;
}

export interface IdleWorkload {
  kind: 'idle';
  name: WorkloadName;
  title: string;
  connections: number;
  usersPerRoom: number;
  baselines: boolean;
}

export type Workload = CursorWorkload | IdleWorkload;

export interface Timing {
  /** Sending before the window, so connections, JIT and buffers are warm. */
  warmupMs: number;
  windowMs: number;
  /** Listening after the window for updates still in flight. */
  drainMs: number;
}

export type Size = 'quick' | 'full';

/** The schedule of one measurement: sends start half a second from now, then warm-up, window, drain. */
export function scheduleFrom(timing: Timing, nowMs: number): Schedule {
  const sendFromMs = nowMs + 500;
  return {
    sendFromMs,
    windowFromMs: sendFromMs + timing.warmupMs,
    windowToMs: sendFromMs + timing.warmupMs + timing.windowMs,
    drainMs: timing.drainMs,
  };
}

export function timingFor(size: Size): Timing {
  return size === 'quick'
    ? { warmupMs: 3_000, windowMs: 10_000, drainMs: 2_000 }
    : { warmupMs: 5_000, windowMs: 30_000, drainMs: 3_000 };
}

/** @param fanOutRooms overrides the rooms of fan-out and notes (`--rooms`), to find what one core carries. */
export function workloadsFor(size: Size, fanOutRooms?: number): Workload[] {
  const quick = size === 'quick';
  const fanOut = { rooms: fanOutRooms ?? (quick ? 20 : 100), usersPerRoom: 10 };
  return [
    {
      kind: 'cursor',
      name: 'fan-out',
      title: `fan-out: ${fanOut.rooms} rooms x ${fanOut.usersPerRoom} users x 30 Hz`,
      ...fanOut,
      hz: 30,
      notesHz: 0,
      baselines: true,
      probesPerRoom: 3,
    },
    {
      kind: 'cursor',
      name: 'big-room',
      title: `big room: 1 room x ${quick ? 50 : 200} users x 20 Hz`,
      rooms: 1,
      usersPerRoom: quick ? 50 : 200,
      hz: 20,
      notesHz: 0,
      baselines: true,
      probesPerRoom: quick ? 10 : 20,
    },
    {
      kind: 'idle',
      name: 'idle',
      title: `idle: ${quick ? 1_000 : 10_000} connections in rooms of 10`,
      connections: quick ? 1_000 : 10_000,
      usersPerRoom: 10,
      baselines: true,
    },
    {
      kind: 'cursor',
      name: 'notes',
      title: `notes under load: fan-out ${fanOut.rooms} x ${fanOut.usersPerRoom} x 30 Hz + 1 note/s per user`,
      ...fanOut,
      hz: 30,
      notesHz: 1,
      baselines: false,
      probesPerRoom: 3,
    },
  ];
}
