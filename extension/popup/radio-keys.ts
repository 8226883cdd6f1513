/**
 * The popup's radio groups (the colour swatches) as ARIA radio groups behave: one Tab
 * stop, on the checked radio, and the arrow keys move the choice to the next or previous
 * radio (a click on it, so it is saved as a click would). The group is rebuilt when the
 * state comes back from the worker; the focus then goes to the new checked radio.
 */
import { ARROW_STEPS } from '../shared/arrow-steps.js';

const radios = (group: HTMLElement): HTMLElement[] => [
  ...group.querySelectorAll<HTMLElement>('[role="radio"]'),
];

/** Listens to the arrow keys in `group` (once, at start). */
export function radioKeys(group: HTMLElement): void {
  group.addEventListener('keydown', (event) => {
    const step = ARROW_STEPS[event.key];
    const all = radios(group);
    const index = all.findIndex((radio) => radio === document.activeElement);
    if (step === undefined || index < 0 || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const next = all[(index + step + all.length) % all.length]!;
    next.focus();
    next.click();
  });
}

/**
 * Renders the group with `render` (which replaces its radios), then gives the Tab stop to
 * the checked radio and, if the focus was in the group, the focus too.
 */
export function renderRadios(group: HTMLElement, render: () => void): void {
  const hadFocus = group.contains(document.activeElement);
  render();
  const all = radios(group);
  const checked = all.find((radio) => radio.getAttribute('aria-checked') === 'true') ?? all[0];
  for (const radio of all) radio.tabIndex = radio === checked ? 0 : -1;
  if (hadFocus) checked?.focus();
}
