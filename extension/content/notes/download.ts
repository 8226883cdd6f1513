/** Saves the exported notes as a file: a download from a blob, with no page involvement. */
import type { Overlay } from '../overlay.js';

export function downloadCollection(doc: Document, overlay: Overlay, collection: unknown): void {
  const blob = new Blob([JSON.stringify(collection, null, 2)], { type: 'application/ld+json' });
  const link = doc.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `notes-${(doc.location.hostname || 'page').replace(/[^a-z0-9.-]/gi, '_')}.jsonld`;
  // Inside the closed root, so the page never sees the link or its blob URL.
  overlay.shadow.append(link);
  link.click();
  link.remove();
  doc.defaultView?.setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
