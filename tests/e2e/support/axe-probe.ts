/**
 * Running axe-core on a page and on the overlay inside its closed shadow root. axe walks
 * shadow trees through `element.shadowRoot`, which is null for a closed root, and the
 * overlay must stay closed. So axe runs in an isolated world of its own, made over CDP
 * (`Page.createIsolatedWorld`): there the test resolves the closed root by the protocol's
 * piercing node walk (`DOM.describeNode({ pierce: true })` + `DOM.resolveNode` into that
 * world) and gives the host's wrapper in that world a `shadowRoot` getter that returns it.
 * JavaScript wrappers are per world, so the page's own `host.shadowRoot` stays null and
 * the page sees neither axe nor the root. tests/e2e/axe.test.ts checks that axe really
 * reaches the overlay's nodes (a seeded nameless button is reported).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CDPSession, Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

/** One rule axe found broken, with the nodes (CSS paths, shadow hops as nested arrays). */
export interface Violation {
  id: string;
  impact: Impact | null;
  help: string;
  targets: unknown[];
}

interface RemoteObject {
  objectId?: string;
  value?: unknown;
}
interface CallResult {
  result: RemoteObject;
  exceptionDetails?: { exception?: { description?: string }; text: string };
}

function check(result: CallResult): RemoteObject {
  if (result.exceptionDetails)
    throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
  return result.result;
}

/** A CDP session with axe loaded in an isolated world of the page's main frame. */
async function axeWorld(page: Page): Promise<{ cdp: CDPSession; contextId: number }> {
  const cdp = await page.context().newCDPSession(page);
  const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
  const { executionContextId } = (await cdp.send('Page.createIsolatedWorld', {
    frameId: frameTree.frame.id,
    worldName: 'copresence-axe',
  })) as { executionContextId: number };
  check(
    (await cdp.send('Runtime.evaluate', {
      expression: AXE_SOURCE,
      contextId: executionContextId,
    })) as CallResult,
  );
  return { cdp, contextId: executionContextId };
}

/** Runs axe in `contextId` on the element `objectId` (or the whole document). */
async function runAxe(cdp: CDPSession, contextId: number, objectId?: string): Promise<Violation[]> {
  const fn = `async function () {
    const results = await axe.run(this === globalThis ? document : this, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => n.target),
    }));
  }`;
  const target =
    objectId ??
    check((await cdp.send('Runtime.evaluate', { expression: 'globalThis', contextId })) as CallResult)
      .objectId;
  const result = check(
    (await cdp.send('Runtime.callFunctionOn', {
      objectId: target,
      functionDeclaration: fn,
      returnByValue: true,
      awaitPromise: true,
    })) as CallResult,
  );
  return result.value as Violation[];
}

/** axe's violations on a whole ordinary page (the popup). */
export async function axePage(page: Page): Promise<Violation[]> {
  const { cdp, contextId } = await axeWorld(page);
  try {
    return await runAxe(cdp, contextId);
  } finally {
    await cdp.detach();
  }
}

/**
 * The overlay's host and closed root as handles in the axe world; the host's wrapper
 * there answers `shadowRoot` with the closed root. `seed` appends a test element first
 * (the check that axe sees inside).
 */
async function overlayInWorld(cdp: CDPSession, contextId: number): Promise<{ host: string; root: string }> {
  await cdp.send('DOM.getDocument', { depth: 0 });
  const hostObject = check(
    (await cdp.send('Runtime.evaluate', {
      expression: `document.documentElement.querySelector(':scope > [data-collab-root]')`,
      contextId,
    })) as CallResult,
  );
  if (!hostObject.objectId) throw new Error('no overlay host on the page');
  const { node } = (await cdp.send('DOM.describeNode', {
    objectId: hostObject.objectId,
    depth: 1,
    pierce: true,
  })) as { node: { shadowRoots?: Array<{ backendNodeId: number }> } };
  const shadow = node.shadowRoots?.[0];
  if (!shadow) throw new Error('the overlay host has no shadow root');
  const { object } = (await cdp.send('DOM.resolveNode', {
    backendNodeId: shadow.backendNodeId,
    executionContextId: contextId,
  })) as { object: RemoteObject };
  if (!object.objectId) throw new Error('cannot resolve the overlay root');
  check(
    (await cdp.send('Runtime.callFunctionOn', {
      objectId: hostObject.objectId,
      functionDeclaration: `function (root) { Object.defineProperty(this, 'shadowRoot', { get: () => root, configurable: true }); }`,
      arguments: [{ objectId: object.objectId }],
    })) as CallResult,
  );
  return { host: hostObject.objectId, root: object.objectId };
}

/**
 * axe's violations inside the overlay (its host and closed root, nothing of the page).
 * With `seedUnnamedButton`, a nameless button is put in the overlay first (and removed
 * after): the proof that axe inspects the overlay's own nodes.
 */
export async function axeOverlay(
  page: Page,
  options: { seedUnnamedButton?: boolean } = {},
): Promise<Violation[]> {
  const { cdp, contextId } = await axeWorld(page);
  try {
    const { host, root } = await overlayInWorld(cdp, contextId);
    const seed = options.seedUnnamedButton
      ? check(
          (await cdp.send('Runtime.callFunctionOn', {
            objectId: root,
            functionDeclaration: `function () {
              const b = document.createElement('button');
              b.setAttribute('data-axe-seed', '');
              b.style.cssText = 'position: fixed; top: 0; left: 0; width: 20px; height: 20px; pointer-events: auto';
              this.append(b);
              return b;
            }`,
          })) as CallResult,
        ).objectId
      : undefined;
    try {
      return await runAxe(cdp, contextId, host);
    } finally {
      if (seed)
        await cdp.send('Runtime.callFunctionOn', {
          objectId: seed,
          functionDeclaration: 'function () { this.remove(); }',
        });
    }
  } finally {
    await cdp.detach();
  }
}

/** Violations at `impact` levels, as "rule (impact): targets" lines for an assertion message. */
export function describeViolations(violations: readonly Violation[], impacts: readonly Impact[]): string[] {
  return violations
    .filter((v) => v.impact !== null && impacts.includes(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.targets)}`);
}

/** Counts of violated nodes by impact, for the report. */
export function countByImpact(violations: readonly Violation[]): Record<Impact, number> {
  const counts: Record<Impact, number> = { minor: 0, moderate: 0, serious: 0, critical: 0 };
  for (const v of violations) if (v.impact) counts[v.impact] += v.targets.length;
  return counts;
}
