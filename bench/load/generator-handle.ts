/**
 * The orchestrator's side of the load generator process: start it pinned, give it a
 * job, start its schedule, wait for its result, stop it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnTs, waitForExit } from '../support/child-process.js';
import type {
  CursorRun,
  GeneratorJob,
  GeneratorToOrchestrator,
  IdleRun,
  OrchestratorToGenerator,
  Schedule,
} from './job.js';

export interface GeneratorHandle {
  /** Resolves when every user is connected and in its room. */
  setup(job: GeneratorJob): Promise<{ connected: number; connectMs: number }>;
  /** Starts the schedule; resolves after the drain with the merged counts. */
  run(schedule: Schedule): Promise<CursorRun | IdleRun>;
  stop(): Promise<void>;
}

export function startGenerator(cpu: number | null, profileDir?: string): GeneratorHandle {
  const child: ChildProcess = spawnTs(new URL('./generator.ts', import.meta.url), {
    cpu,
    nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/generator`] : [],
  });
  // The generator writes nothing to stdout; forward anything that appears so the pipe never fills.
  child.stdout?.pipe(process.stderr);
  const post = (message: OrchestratorToGenerator) => child.send(message);

  const next = <T extends GeneratorToOrchestrator['type']>(type: T) =>
    new Promise<Extract<GeneratorToOrchestrator, { type: T }>>((resolve, reject) => {
      const onMessage = (message: GeneratorToOrchestrator) => {
        if (message.type === 'error') {
          cleanup();
          reject(new Error(`load generator: ${message.message}`));
        } else if (message.type === type) {
          cleanup();
          resolve(message as Extract<GeneratorToOrchestrator, { type: T }>);
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`load generator exited with ${code}`));
      };
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });

  return {
    setup: async (job) => {
      const ready = next('ready');
      post({ type: 'setup', job });
      const { connected, connectMs } = await ready;
      return { connected, connectMs };
    },
    run: async (schedule) => {
      const result = next('result');
      post({ type: 'start', schedule });
      return (await result).run;
    },
    stop: async () => {
      if (child.connected) post({ type: 'stop' });
      await waitForExit(child);
    },
  };
}
