/**
 * Re-anchoring when the page changes (late-loading content, single-page apps): a
 * MutationObserver on the page whose callback is debounced, so a burst of changes
 * gives one re-anchoring pass after the page has been quiet for `delayMs`. A page
 * that never stops changing (a ticking clock, a carousel) still gets a pass at least
 * every `maxWaitMs`. Changes inside our own overlay (`[data-collab-root]`), and adding
 * or removing the overlay host itself, are ignored: our own rendering must not
 * re-trigger anchoring. Pure DOM, no extension APIs.
 */
import { OVERLAY_ROOT_ATTRIBUTE } from './text-index.js';

export interface ObserveOptions {
  /** Upper bound on how long a stream of changes can postpone the callback; default 10 * delayMs. */
  maxWaitMs?: number;
  /** Called at once (not debounced) for every batch of changes of the page, e.g. to mark a cache stale. */
  onChange?: () => void;
}

const ELEMENT_NODE = 1;

function isOverlay(node: Node): boolean {
  const element = node.nodeType === ELEMENT_NODE ? (node as Element) : node.parentElement;
  return Boolean(element?.closest(`[${OVERLAY_ROOT_ATTRIBUTE}]`));
}

/** Whether a mutation can change the page's text or structure (not just our overlay). */
function concernsPage(record: MutationRecord): boolean {
  if (isOverlay(record.target)) return false;
  if (record.type !== 'childList') return true;
  const changed = [...Array.from(record.addedNodes), ...Array.from(record.removedNodes)];
  // Removed nodes are detached, so check the node itself rather than its ancestors.
  return changed.length === 0 || changed.some((node) => !isOverlay(node));
}

/**
 * Calls `callback` once the subtree of `root` has changed and then stayed unchanged
 * for `delayMs` (text changed, nodes added or removed). Returns a function that
 * stops observing and cancels a pending call.
 */
export function observeChanges(
  root: Node,
  callback: () => void,
  delayMs: number,
  options: ObserveOptions = {},
): () => void {
  const maxWaitMs = options.maxWaitMs ?? delayMs * 10;
  const view = (root.ownerDocument ?? (root as Document)).defaultView;
  const Observer = view?.MutationObserver ?? globalThis.MutationObserver;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstChange: number | null = null;

  const fire = (): void => {
    timer = undefined;
    firstChange = null;
    callback();
  };

  const observer = new Observer((records) => {
    if (!records.some(concernsPage)) return;
    options.onChange?.();
    const now = Date.now();
    firstChange ??= now;
    if (timer !== undefined) clearTimeout(timer);
    const wait = Math.max(0, Math.min(delayMs, firstChange + maxWaitMs - now));
    timer = setTimeout(fire, wait);
  });
  observer.observe(root, { childList: true, subtree: true, characterData: true });

  return () => {
    observer.disconnect();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
}
