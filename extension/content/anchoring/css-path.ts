/**
 * The element half of a note's range selector: a CSS path to the nearest element that
 * holds the whole range, starting from the nearest ancestor with a stable, unique id
 * (else from `body`), one `tag` or `tag:nth-of-type(n)` step per level. Ids that look
 * generated (long digit runs, hashes, framework prefixes) are not trusted as stable.
 * Pure DOM: no `CSS.escape` or other globals, so it runs under happy-dom in Node too.
 */
import { LIMITS } from '../../../protocol/index.js';

const ELEMENT_NODE = 1;

/** Ids that change between page loads: React/Ember/etc. counters, hashes, UUIDs. */
const GENERATED_ID = /\d{4,}|[0-9a-f]{8,}|^(?:ember|react|radix|mui|headlessui|:r)|[:]|^\d/i;

function isPlainIdent(value: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(value);
}

/** `#id` for an id that is unique in its document and looks stable, else null. */
function stableIdSelector(element: Element): string | null {
  const id = element.id;
  if (!id || !isPlainIdent(id) || GENERATED_ID.test(id)) return null;
  const selector = `#${id}`;
  try {
    return element.ownerDocument.querySelectorAll(selector).length === 1 ? selector : null;
  } catch {
    return null;
  }
}

function step(element: Element): string {
  const tag = element.tagName.toLowerCase();
  const parent = element.parentElement;
  if (!parent) return tag;
  let index = 0;
  let count = 0;
  for (let sibling = parent.firstElementChild; sibling; sibling = sibling.nextElementSibling) {
    if (sibling.tagName !== element.tagName) continue;
    count++;
    if (sibling === element) index = count;
  }
  return count > 1 ? `${tag}:nth-of-type(${index})` : tag;
}

/**
 * CSS path of `element`, or null when it is outside `body`, is `body` itself, or the
 * path would exceed the protocol's limit.
 */
export function cssPathOf(element: Element): string | null {
  const steps: string[] = [];
  for (let current: Element | null = element; current; current = current.parentElement) {
    const tag = current.tagName.toLowerCase();
    if (tag === 'body') {
      if (steps.length === 0) return null;
      steps.push('body');
      break;
    }
    if (tag === 'html') return null;
    const id = stableIdSelector(current);
    if (id) {
      steps.push(id);
      break;
    }
    steps.push(step(current));
  }
  const path = steps.reverse().join(' > ');
  return path.length <= LIMITS.cssPath ? path : null;
}

/** The nearest element containing `node` (itself when it is one). */
export function elementOf(node: Node): Element | null {
  return node.nodeType === ELEMENT_NODE ? (node as Element) : node.parentElement;
}

/** The element `path` names inside `root`, or null (also for a malformed path). */
export function resolveCssPath(root: Node, path: string): Element | null {
  const doc = root.ownerDocument ?? (root as Document);
  let element: Element | null;
  try {
    element = doc.querySelector(path);
  } catch {
    return null;
  }
  return element && element !== root && root.contains(element) ? element : null;
}
