/**
 * The overlay of a Firefox page, reached through its closed shadow root over WebDriver
 * BiDi: `script.evaluate` with `serializationOptions.includeShadowTree: 'all'` serializes
 * the host with its closed root as a shared reference (the page itself only ever sees
 * `host.shadowRoot === null`), and `script.callFunction` runs the same in-page probes as
 * the Chromium tests (overlay-probe.ts) with that root as `this`. Actions are real input
 * (`page.mouse`, `page.keyboard`: BiDi `input.performActions`, trusted events).
 *
 * Answers the subset of overlay-probe's locator the Firefox e2e test uses.
 */
import type { Page } from 'puppeteer-core';
import {
  actionPoint,
  boxInPage,
  onlyOne,
  probeInPage,
  sameBox,
  textInPage,
  type Box,
  type State,
  type Step,
} from './overlay-probe.js';

const DEFAULT_TIMEOUT_MS = 30_000;

/** A BiDi remote value, reduced to what we read. */
interface RemoteValue {
  type: string;
  sharedId?: string;
  value?: unknown;
}
interface ScriptResult {
  type: 'success' | 'exception';
  result?: RemoteValue;
  exceptionDetails?: { text: string };
}
/**
 * The raw WebDriver BiDi session under a puppeteer page, for what puppeteer does not offer:
 * its connection (public on puppeteer's BiDi browser, absent from its types) and the id of
 * the page's top-level browsing context.
 */
export function bidiOf(page: Page): {
  send(method: string, params: object): Promise<{ result: ScriptResult }>;
  context: string;
} {
  const { connection } = page.browser() as unknown as {
    connection: { send(method: string, params: object): Promise<{ result: ScriptResult }> };
  };
  return {
    send: (method, params) => connection.send(method, params),
    context: (page.mainFrame() as unknown as { _id: string })._id,
  };
}

/** Sends one `script.*` command in the page's top-level browsing context. */
async function script(page: Page, method: string, params: object): Promise<RemoteValue | undefined> {
  const { send, context } = bidiOf(page);
  const { result } = await send(method, {
    ...params,
    target: { context },
    awaitPromise: true,
    resultOwnership: 'none',
  });
  if (result.type === 'exception') throw new Error(result.exceptionDetails?.text ?? `${method} failed`);
  return result.result;
}

/** Runs `fn` with `this` = the node `sharedId` and JSON arguments; returns its value by JSON. */
async function call<T>(
  page: Page,
  sharedId: string,
  fn: (this: never, ...args: never[]) => unknown,
  ...args: unknown[]
): Promise<T> {
  const answer = await script(page, 'script.callFunction', {
    functionDeclaration: `async function (json) { return JSON.stringify((await (${fn.toString()}).apply(this, JSON.parse(json))) ?? null); }`,
    this: { sharedId },
    arguments: [{ type: 'string', value: JSON.stringify(args) }],
  });
  return JSON.parse(answer?.value as string) as T;
}

/** The shared id of the overlay's closed root, once the content script has put the host on the page. */
async function closedRoot(page: Page, timeout: number): Promise<string> {
  const host = await script(page, 'script.evaluate', {
    expression: `new Promise((resolve, reject) => {
      const find = () => document.documentElement.querySelector(':scope > [data-collab-root]');
      if (find()) return resolve(find());
      const observer = new MutationObserver(() => {
        if (find()) { observer.disconnect(); clearTimeout(timer); resolve(find()); }
      });
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no overlay host on the page')); }, ${timeout});
      observer.observe(document.documentElement, { childList: true });
    })`,
    serializationOptions: { includeShadowTree: 'all', maxDomDepth: 0 },
  });
  const root = (host?.value as { shadowRoot?: RemoteValue } | undefined)?.shadowRoot;
  if (!root?.sharedId) throw new Error('the overlay host has no shadow root');
  return root.sharedId;
}

export class FirefoxOverlayLocator {
  constructor(
    private readonly page: Page,
    private readonly steps: Step[],
  ) {}

  locator(selector: string): FirefoxOverlayLocator {
    return new FirefoxOverlayLocator(this.page, [...this.steps, { kind: 'css', selector }]);
  }

  filter(options: { hasText: string }): FirefoxOverlayLocator {
    return new FirefoxOverlayLocator(this.page, [...this.steps, { kind: 'text', text: options.hasText }]);
  }

  async count(): Promise<number> {
    return (await this.elements(false)).length;
  }

  async waitFor(options: { state?: State; timeout?: number } = {}): Promise<void> {
    await this.elements(true, options.state ?? 'visible', options.timeout);
  }

  async textContent(): Promise<string> {
    return call<string>(this.page, await this.one(), textInPage);
  }

  async boundingBox(): Promise<Box | null> {
    return call<Box | null>(this.page, await this.one(), boxInPage);
  }

  /** A real mouse click in the middle of the element, once it is visible, still and on top. */
  async click(timeout = DEFAULT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeout;
    let last: Box | null = null;
    for (;;) {
      const id = await this.one(true, Math.max(1, deadline - Date.now()));
      const point = await call<{ x: number; y: number; box: Box } | null>(this.page, id, actionPoint);
      // Stable: the same box on two looks a frame apart (cards are laid out per frame).
      if (point && last && sameBox(point.box, last)) {
        await this.page.mouse.click(point.x, point.y);
        return;
      }
      last = point?.box ?? null;
      if (Date.now() > deadline) throw new Error(`overlay: ${JSON.stringify(this.steps)} not clickable`);
      await this.page.evaluate(() => new Promise((done) => requestAnimationFrame(done)));
    }
  }

  /** Clicks into the field and types `text` (real keys). */
  async fill(text: string): Promise<void> {
    await this.click();
    await this.page.keyboard.type(text);
  }

  /** The one element (strict), after waiting for it. */
  private async one(visible = false, timeout = DEFAULT_TIMEOUT_MS): Promise<string> {
    return onlyOne(await this.elements(true, visible ? 'visible' : 'attached', timeout), this.steps);
  }

  /** Shared ids of the matching elements (waiting for `state` with `wait`). */
  private async elements(
    wait: boolean,
    state: State = 'attached',
    timeout = DEFAULT_TIMEOUT_MS,
  ): Promise<string[]> {
    const deadline = Date.now() + timeout;
    const root = await closedRoot(this.page, timeout);
    const args = [this.steps, wait ? 'wait' : 'elements', state, Math.max(1, deadline - Date.now())];
    const found = await script(this.page, 'script.callFunction', {
      functionDeclaration: `function (json) { return (${probeInPage.toString()}).apply(this, JSON.parse(json)); }`,
      this: { sharedId: root },
      arguments: [{ type: 'string', value: JSON.stringify(args) }],
      serializationOptions: { maxDomDepth: 0 },
    });
    return ((found?.value ?? []) as RemoteValue[]).flatMap((node) => (node.sharedId ? [node.sharedId] : []));
  }
}

/** The overlay of a Firefox `page`: start of every query into it. */
export const firefoxOverlay = (page: Page): FirefoxOverlayLocator => new FirefoxOverlayLocator(page, []);

/** The remote cursor labelled `name` in the page's overlay (as overlay-probe's `cursorOf`). */
export const firefoxCursorOf = (page: Page, name: string): FirefoxOverlayLocator =>
  firefoxOverlay(page).locator('[data-peer-id]').filter({ hasText: name });
