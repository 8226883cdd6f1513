/**
 * The one CSS path builder of the content script, used by note range selectors and by
 * cursor anchors alike, so a note and a cursor describe the same element the same way: a
 * path from the nearest ancestor (or the element itself) with a stable, unique id, else
 * from `body`, one `tag` or `tag:nth-of-type(n)` step per level (the index only where
 * siblings share the tag). Ids that look generated (framework prefixes and counters,
 * hashes, UUIDs) differ between two loads of one page, so a path never starts from them.
 * Pure DOM: no `CSS.escape` or other globals (ids and tags that would need escaping are
 * not used), so it runs under happy-dom in Node too.
 */
import { LIMITS } from '../../../protocol/index.js';

const ELEMENT_NODE = 1;

/** Ids that change between page loads: React/Ember/etc. counters, hashes, UUIDs, `:r1:`. */
const GENERATED_ID = /\d{3,}|[0-9a-f]{8,}|:|^\d|^(?:ember|react|radix|mui|headlessui|yui|ext-gen)/i;

const isPlainIdent = (value: string): boolean => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(value);

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

function step(element: Element, parent: Element): string | null {
  const tag = element.localName;
  if (!isPlainIdent(tag)) return null;
  let index = 0;
  let count = 0;
  for (let sibling = parent.firstElementChild; sibling; sibling = sibling.nextElementSibling) {
    if (sibling.localName !== tag) continue;
    count++;
    if (sibling === element) index = count;
  }
  return count > 1 ? `${tag}:nth-of-type(${index})` : tag;
}

/**
 * CSS path of `element`, or null when it is outside `body` or the path would exceed the
 * protocol's limit. `body` itself is `body`.
 */
export function cssPath(element: Element): string | null {
  const body = element.ownerDocument.body;
  const steps: string[] = [];
  for (let current: Element | null = element; current;) {
    const id = stableIdSelector(current);
    if (id) {
      steps.push(id);
      break;
    }
    if (current === body) {
      steps.push('body');
      break;
    }
    const parent: Element | null = current.parentElement;
    if (!parent) return null;
    const part = step(current, parent);
    if (!part) return null;
    steps.push(part);
    current = parent;
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
