/**
 * Reaching the overlay the way its closed shadow root allows. The page cannot
 * open the root, and neither can Playwright's locators (they pierce open roots only), so
 * tests ask the browser through the DevTools protocol: `DOM.describeNode({ pierce: true })`
 * names the closed root of `[data-collab-root]`, `DOM.resolveNode` gives a handle to it,
 * and queries run on that handle with `Runtime.callFunctionOn` (never stored where the
 * page could find it). Text is the overlay's generated content (`data-text`, see
 * extension/content/overlay-text.ts) plus any DOM text. Actions are real input:
 * `page.mouse` and `page.keyboard`, so the same build users load sees trusted events.
 *
 * `overlay(page).locator(css)` answers the subset of Playwright's Locator the e2e tests
 * use: `locator`, `filter({ hasText })`, `first`, `nth`, `or`, `count`, `waitFor`,
 * `click`, `fill`, `textContent`, `getAttribute`, `isVisible`, `boundingBox`,
 * `scrollIntoViewIfNeeded`, `setInputFiles`. Waits follow DOM mutations of the root.
 */
import type { CDPSession, Page } from 'playwright-core';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Protocol errors that mean the document went away under a call (navigation, reload). */
const NAVIGATED =
  /context was destroyed|Cannot find context|Could not find object|No node|navigated|Promise was collected/i;

export type TextMatch = { source: string; flags: string } | string;
export type Step =
  | { kind: 'css'; selector: string }
  | { kind: 'text'; text: TextMatch }
  | { kind: 'nth'; index: number }
  | { kind: 'or'; steps: Step[] };

export type State = 'attached' | 'detached' | 'visible' | 'hidden';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface RemoteObject {
  objectId?: string;
  value?: unknown;
  subtype?: string;
}
interface CallResult {
  result: RemoteObject;
  exceptionDetails?: { exception?: { description?: string }; text: string };
}

const sessions = new WeakMap<Page, Promise<CDPSession>>();

function session(page: Page): Promise<CDPSession> {
  let found = sessions.get(page);
  if (!found) {
    found = page.context().newCDPSession(page);
    sessions.set(page, found);
  }
  return found;
}

/**
 * Runs in the page on the closed root (`this`): finds the elements of `steps` and, with
 * `wait`, waits (following mutations) until they are in `state`. Self-contained: it is
 * sent as source text.
 */
export function probeInPage(
  this: ShadowRoot,
  steps: Step[],
  mode: 'elements' | 'wait',
  state: State,
  timeout: number,
): Promise<Element[]> | Element[] {
  const textOf = (node: Node): string => {
    let out = '';
    const walk = (n: Node): void => {
      if (n.nodeType === 3) out += (n as Text).data;
      if (n.nodeType !== 1 || (n as Element).localName === 'style') return;
      const generated = (n as Element).getAttribute('data-text');
      if (generated !== null) out += generated;
      n.childNodes.forEach(walk);
    };
    walk(node);
    return out;
  };
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  const matches = (el: Element, text: TextMatch): boolean =>
    typeof text === 'string'
      ? norm(textOf(el)).toLowerCase().includes(norm(text).toLowerCase())
      : new RegExp(text.source, text.flags).test(textOf(el));
  const order = (list: Element[]): Element[] =>
    [...new Set(list)].sort((a, b) =>
      a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
    );
  const run = (chain: Step[]): Element[] => {
    let current: Array<Element | ShadowRoot> = [this];
    for (const step of chain) {
      if (step.kind === 'css')
        current = order(current.flatMap((el) => [...el.querySelectorAll(step.selector)]));
      else if (step.kind === 'text')
        current = current.filter((el): el is Element => el instanceof Element && matches(el, step.text));
      else if (step.kind === 'nth') {
        const at = step.index < 0 ? current.length + step.index : step.index;
        current = current[at] ? [current[at]] : [];
      } else current = order([...(current as Element[]), ...run(step.steps)]);
    }
    return current.filter((el): el is Element => el instanceof Element);
  };
  const visible = (el: Element): boolean => {
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const done = (found: Element[]): boolean => {
    if (state === 'detached') return found.length === 0;
    if (state === 'hidden') return found.length === 0 || !found.some(visible);
    if (found.length === 0) return false;
    return state === 'attached' || found.some(visible);
  };
  if (mode === 'elements') return run(steps);
  return new Promise<Element[]>((resolve, reject) => {
    const check = (): boolean => {
      const found = run(steps);
      if (!done(found)) return false;
      observer.disconnect();
      clearInterval(poll);
      clearTimeout(timer);
      resolve(found);
      return true;
    };
    const observer = new MutationObserver(() => check());
    // Layout changes (a card pushed into view) are not mutations: look again now and then too.
    const poll = setInterval(check, 100);
    const timer = setTimeout(() => {
      observer.disconnect();
      clearInterval(poll);
      reject(new Error(`overlay: ${JSON.stringify(steps)} not ${state} after ${timeout} ms`));
    }, timeout);
    observer.observe(this, { subtree: true, childList: true, attributes: true, characterData: true });
    check();
  });
}

/** The element's box, hit-tested, after scrolling it into view; null while not ready. */
export function actionPoint(this: Element): { x: number; y: number; box: Box } | null {
  const rect = this.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0) return null;
  const inView = rect.top >= 0 && rect.left >= 0 && rect.bottom <= innerHeight && rect.right <= innerWidth;
  if (!inView) this.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
  const r = this.getBoundingClientRect();
  const x = r.left + r.width / 2;
  const y = r.top + r.height / 2;
  const root = this.getRootNode() as ShadowRoot;
  const hit = root.elementFromPoint(x, y);
  if (!hit || (hit !== this && !this.contains(hit))) return null;
  return { x, y, box: { x: r.left, y: r.top, width: r.width, height: r.height } };
}

export function textInPage(this: Element): string {
  let out = '';
  const walk = (n: Node): void => {
    if (n.nodeType === 3) out += (n as Text).data;
    if (n.nodeType !== 1) return;
    const generated = (n as Element).getAttribute('data-text');
    if (generated !== null) out += generated;
    n.childNodes.forEach(walk);
  };
  walk(this);
  return out;
}

/** The one id of a strict locator's matches; else what matched, for the failure. */
export function onlyOne(ids: readonly string[], steps: unknown): string {
  if (ids.length !== 1)
    throw new Error(`overlay: ${JSON.stringify(steps)} matches ${ids.length} elements, expected 1`);
  return ids[0]!;
}

export class OverlayLocator {
  constructor(
    private readonly page: Page,
    private readonly steps: Step[],
  ) {}

  locator(selector: string): OverlayLocator {
    return new OverlayLocator(this.page, [...this.steps, { kind: 'css', selector }]);
  }

  filter(options: { hasText: string | RegExp }): OverlayLocator {
    const { hasText } = options;
    const text: TextMatch =
      typeof hasText === 'string' ? hasText : { source: hasText.source, flags: hasText.flags };
    return new OverlayLocator(this.page, [...this.steps, { kind: 'text', text }]);
  }

  first(): OverlayLocator {
    return this.nth(0);
  }

  last(): OverlayLocator {
    return this.nth(-1);
  }

  nth(index: number): OverlayLocator {
    return new OverlayLocator(this.page, [...this.steps, { kind: 'nth', index }]);
  }

  /** Elements of this locator or of `other`. */
  or(other: OverlayLocator): OverlayLocator {
    return new OverlayLocator(this.page, [...this.steps, { kind: 'or', steps: other.steps }]);
  }

  async count(): Promise<number> {
    const ids = await this.elements(false);
    return ids.length;
  }

  async isVisible(): Promise<boolean> {
    const [id] = await this.elements(false);
    if (!id) return false;
    const box = await this.call<Box | null>(id, boxInPage);
    return box !== null && box.width > 0 && box.height > 0;
  }

  async waitFor(options: { state?: State; timeout?: number } = {}): Promise<void> {
    await this.elements(true, options.state ?? 'visible', options.timeout);
  }

  async textContent(): Promise<string> {
    return this.call<string>(await this.one(), textInPage);
  }

  async getAttribute(name: string): Promise<string | null> {
    return this.call<string | null>(
      await this.one(),
      function (this: Element, attribute: string) {
        return this.getAttribute(attribute);
      },
      name,
    );
  }

  /** Runs `fn` in the page on the one element (as Playwright's `locator.evaluate`). */
  async evaluate<R, A>(fn: (element: Element, arg: A) => R, arg: A): Promise<R> {
    const id = await this.one();
    const cdp = await session(this.page);
    const result = (await cdp.send('Runtime.callFunctionOn', {
      objectId: id,
      functionDeclaration: `function (arg) { return (${fn.toString()})(this, arg); }`,
      arguments: [{ value: arg }],
      returnByValue: true,
      awaitPromise: true,
    })) as CallResult;
    if (result.exceptionDetails)
      throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
    return result.result.value as R;
  }

  async boundingBox(): Promise<Box | null> {
    return this.call<Box | null>(await this.one(), boxInPage);
  }

  async scrollIntoViewIfNeeded(): Promise<void> {
    await this.call(await this.one(), function (this: Element) {
      const r = this.getBoundingClientRect();
      if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth)
        this.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
    });
  }

  /** A real mouse click in the middle of the element, once it is visible, still and on top. */
  async click(options: { timeout?: number } = {}): Promise<void> {
    const point = await this.readyPoint(options.timeout ?? DEFAULT_TIMEOUT_MS);
    await this.page.mouse.click(point.x, point.y);
  }

  /** Clicks into the field, selects what it holds and types `text` in its place (real keys). */
  async fill(text: string): Promise<void> {
    await this.click();
    await this.page.keyboard.press('ControlOrMeta+a');
    if (text === '') await this.page.keyboard.press('Delete');
    else await this.page.keyboard.insertText(text);
  }

  /** Sets the files of a file input, as the file chooser does. */
  async setInputFiles(files: string | string[]): Promise<void> {
    const id = await this.one(false);
    const cdp = await session(this.page);
    await cdp.send('DOM.setFileInputFiles', {
      objectId: id,
      files: typeof files === 'string' ? [files] : files,
    });
  }

  // -------------------------------------------------------------------------

  private async readyPoint(timeout: number): Promise<{ x: number; y: number }> {
    const deadline = Date.now() + timeout;
    let last: Box | null = null;
    for (;;) {
      const id = await this.one(true, Math.max(1, deadline - Date.now()));
      const point = await this.call<{ x: number; y: number; box: Box } | null>(id, actionPoint);
      // Stable: the same box on two looks one frame apart (cards are laid out per frame).
      if (point && last && sameBox(point.box, last)) return point;
      last = point?.box ?? null;
      if (Date.now() > deadline) throw new Error(`overlay: ${JSON.stringify(this.steps)} not clickable`);
      await this.page.evaluate(
        () =>
          new Promise<void>((done) => {
            requestAnimationFrame(() => done());
            setTimeout(done, 50);
          }),
      );
    }
  }

  /** The one element (strict, like Playwright's actions), after waiting for it. */
  private async one(visible = false, timeout = DEFAULT_TIMEOUT_MS): Promise<string> {
    return onlyOne(await this.elements(true, visible ? 'visible' : 'attached', timeout), this.steps);
  }

  /** Object ids of the matching elements (waiting for `state` with `wait`). */
  private async elements(
    wait: boolean,
    state: State = 'attached',
    timeout = DEFAULT_TIMEOUT_MS,
  ): Promise<string[]> {
    const cdp = await session(this.page);
    // A page our scripts never ran on has no host: nothing matches, at once.
    if (!wait && !(await hasHost(cdp))) return [];
    const deadline = Date.now() + timeout;
    let result: CallResult;
    for (;;) {
      try {
        const rootId = await closedRoot(cdp, Math.max(1, deadline - Date.now()));
        result = (await cdp.send('Runtime.callFunctionOn', {
          objectId: rootId,
          functionDeclaration: probeInPage.toString(),
          arguments: [
            { value: this.steps },
            { value: wait ? 'wait' : 'elements' },
            { value: state },
            { value: Math.max(1, deadline - Date.now()) },
          ],
          awaitPromise: true,
        })) as CallResult;
        break;
      } catch (error) {
        // The page navigated while we waited (a reload): look again in the new document.
        if (!wait || Date.now() > deadline || !NAVIGATED.test(String(error))) throw error;
      }
    }
    if (result.exceptionDetails)
      throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
    const arrayId = result.result.objectId;
    if (!arrayId) return [];
    const { result: props } = (await cdp.send('Runtime.getProperties', {
      objectId: arrayId,
      ownProperties: true,
    })) as {
      result: Array<{ name: string; value?: RemoteObject }>;
    };
    return props
      .filter((p) => /^\d+$/.test(p.name))
      .sort((a, b) => Number(a.name) - Number(b.name))
      .map((p) => p.value?.objectId)
      .filter((id): id is string => id !== undefined);
  }

  private async call<T>(
    objectId: string,
    fn: (this: Element, ...args: never[]) => unknown,
    ...args: unknown[]
  ): Promise<T> {
    const cdp = await session(this.page);
    const result = (await cdp.send('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: fn.toString(),
      arguments: args.map((value) => ({ value })),
      returnByValue: true,
      awaitPromise: true,
    })) as CallResult;
    if (result.exceptionDetails)
      throw new Error(result.exceptionDetails.exception?.description ?? result.exceptionDetails.text);
    return result.result.value as T;
  }
}

export function boxInPage(this: Element): Box | null {
  const r = this.getBoundingClientRect();
  return r.width === 0 && r.height === 0 ? null : { x: r.left, y: r.top, width: r.width, height: r.height };
}

export const sameBox = (a: Box, b: Box) =>
  Math.abs(a.x - b.x) < 0.5 && Math.abs(a.y - b.y) < 0.5 && a.width === b.width && a.height === b.height;

/**
 * A handle on the overlay's closed shadow root, waiting for the content script to put
 * the host on the page. The root is found by the protocol's piercing node walk; the page
 * itself only ever sees `host.shadowRoot === null`.
 */
async function closedRoot(cdp: CDPSession, timeout: number): Promise<string> {
  const host = (await cdp.send('Runtime.evaluate', {
    expression: `new Promise((resolve, reject) => {
      const find = () => document.documentElement.querySelector(':scope > [data-collab-root]');
      const now = find();
      if (now) return resolve(now);
      const observer = new MutationObserver(() => {
        const found = find();
        if (found) { observer.disconnect(); clearTimeout(timer); resolve(found); }
      });
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no overlay host on the page')); }, ${timeout});
      observer.observe(document.documentElement, { childList: true });
    })`,
    awaitPromise: true,
  })) as CallResult;
  if (host.exceptionDetails || !host.result.objectId)
    throw new Error(host.exceptionDetails?.exception?.description ?? 'no overlay host');
  const { node } = (await cdp.send('DOM.describeNode', {
    objectId: host.result.objectId,
    depth: 1,
    pierce: true,
  })) as { node: { shadowRoots?: Array<{ backendNodeId: number; shadowRootType?: string }> } };
  const shadow = node.shadowRoots?.[0];
  if (!shadow) throw new Error('the overlay host has no shadow root');
  const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId: shadow.backendNodeId })) as {
    object: RemoteObject;
  };
  if (!object.objectId) throw new Error('cannot resolve the overlay root');
  return object.objectId;
}

/** True when the page holds our overlay's host now. */
async function hasHost(cdp: CDPSession): Promise<boolean> {
  const found = (await cdp.send('Runtime.evaluate', {
    expression: `document.documentElement.querySelector(':scope > [data-collab-root]') !== null`,
    returnByValue: true,
  })) as CallResult;
  return found.result.value === true;
}

/** The overlay of `page`: start of every query into it. */
export function overlay(page: Page): OverlayLocator {
  return new OverlayLocator(page, []);
}

/** The remote cursor labelled `name` in the page's overlay. */
export const cursorOf = (page: Page, name: string): OverlayLocator =>
  overlay(page).locator('[data-peer-id]').filter({ hasText: name });

/** The mode of the overlay's shadow root as the browser reports it (`closed`: the page must not open it). */
export async function overlayRootMode(page: Page): Promise<string | undefined> {
  const cdp = await session(page);
  const host = (await cdp.send('Runtime.evaluate', {
    expression: `document.documentElement.querySelector(':scope > [data-collab-root]')`,
  })) as CallResult;
  if (!host.result.objectId) return undefined;
  const { node } = (await cdp.send('DOM.describeNode', {
    objectId: host.result.objectId,
    depth: 1,
    pierce: true,
  })) as {
    node: { shadowRoots?: Array<{ shadowRootType?: string }> };
  };
  return node.shadowRoots?.[0]?.shadowRootType;
}
