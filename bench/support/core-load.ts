/**
 * Busy time per CPU core from /proc/stat (Linux), so a run can tell how much of the
 * server's and the generator's cores went to other processes on a shared machine.
 * Elsewhere it reports nothing and the figures say "unknown".
 */
import { readFileSync } from 'node:fs';

/** Busy seconds per core since boot (user, nice, system, irq, softirq, steal); empty when unknown. */
export function coreBusySeconds(): number[] {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return [];
  }
  const ticksPerSecond = 100; // USER_HZ is 100 on every Linux architecture Node supports.
  const busy: number[] = [];
  for (const line of text.split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = (match[2] as string)
      .trim()
      .split(/\s+/)
      .map(Number);
    busy[Number(match[1])] = (user + nice + system + irq + softirq + steal) / ticksPerSecond;
  }
  return busy;
}

/**
 * Waits until the given cores have been almost idle (below `threshold` of a core) for
 * one `sampleMs` sample, or until `maxWaitMs` passed. Called while none of the run's own
 * processes is busy, so whatever load it sees belongs to someone else.
 */
export async function waitForQuiet(
  cores: number[],
  options: { maxWaitMs: number; threshold?: number; sampleMs?: number },
): Promise<{ quiet: boolean; waitedMs: number; load: number }> {
  const threshold = options.threshold ?? 0.1;
  const sampleMs = options.sampleMs ?? 1_000;
  const started = Date.now();
  for (;;) {
    const before = coreBusySeconds();
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
    const after = coreBusySeconds();
    if (before.length === 0) return { quiet: true, waitedMs: 0, load: NaN };
    const load = Math.max(
      ...cores.map((core) => ((after[core] ?? 0) - (before[core] ?? 0)) / (sampleMs / 1000)),
    );
    const waitedMs = Date.now() - started;
    if (load < threshold) return { quiet: true, waitedMs, load };
    if (waitedMs >= options.maxWaitMs) return { quiet: false, waitedMs, load };
  }
}
