/**
 * Only the user acts through the overlay, never the page in their name: a page script can dispatch any
 * event it likes (`el.click()`, `new MouseEvent('mouseup')`, `new KeyboardEvent(...)`),
 * but the browser marks those `isTrusted: false`. Every handler that acts in the user's
 * name (select-to-note, buttons, shortcuts, submit, pointer capture) is wrapped here.
 */

/** `handler`, called only for events the browser itself generated from real input. */
export function trusted<E extends Event>(handler: (event: E) => void): (event: E) => void {
  return (event: E): void => {
    if (event.isTrusted) handler(event);
  };
}
