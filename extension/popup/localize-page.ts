/**
 * Fills a page's static text from the messages: an element's text from `data-i18n`, and
 * its `placeholder`, `aria-label` and `title` from `data-i18n-placeholder`,
 * `data-i18n-aria-label`, `data-i18n-title`. The markup keeps English text too, so it reads
 * well in an editor; the messages replace it before the first paint of a module script.
 */
import { t, textDirection, uiLanguage, type MessageKey } from '../shared/i18n.js';

const ATTRIBUTES = ['placeholder', 'aria-label', 'title'] as const;

export function localizePage(doc: Document): void {
  doc.documentElement.lang = uiLanguage();
  doc.documentElement.dir = textDirection();
  for (const element of doc.querySelectorAll<HTMLElement>('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n as MessageKey);
  }
  for (const attribute of ATTRIBUTES) {
    for (const element of doc.querySelectorAll(`[data-i18n-${attribute}]`)) {
      element.setAttribute(attribute, t(element.getAttribute(`data-i18n-${attribute}`) as MessageKey));
    }
  }
}
