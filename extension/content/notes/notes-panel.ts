/**
 * The notes panel in the page's corner: a toggle with the counts, and when opened the
 * list of the page's placed notes (a click jumps to one), the notes that could not be
 * placed with their quoted words (as cards), and export and import of the room's notes.
 */
import type { Note } from '../../../protocol/index.js';
import { formatNumber, t } from '../../shared/i18n.js';
import type { Overlay } from '../overlay.js';
import { safeName } from '../safe-values.js';
import { trusted } from '../trusted-events.js';
import { focusReturn, type FocusSpot } from './focus-return.js';
import { keepFocus, RovingList } from './keyboard-nav.js';
import { reconcile, type Part } from './keyed-parts.js';
import type { NoteCards } from './note-card.js';
import { noteColor, repliesText } from './note-card.js';
import { compareTargets, quoteOf, type Target } from './note-anchors.js';
import { button, el } from './overlay-ui.js';

/** The generated texts inside `element`, as one sentence per part. */
function spokenText(element: Element): string {
  return [...element.querySelectorAll('[data-text]')]
    .map((part) => part.getAttribute('data-text'))
    .join('. ');
}

export interface PanelModel {
  topLevel: readonly Note[];
  /** Where each placed note is (orphans are not). */
  placed: ReadonlyMap<string, Exclude<Target, { kind: 'orphan' }>>;
  orphans: readonly Note[];
  pendingCount: number;
  /** Shown once the tab's session is active (even with no notes yet). */
  active: boolean;
  repliesOf(id: string): readonly Note[];
}

export interface PanelActions {
  jump(id: string): void;
  exportNotes(): void;
  importNotes(collection: unknown): void;
  toast(message: string): void;
}

/** Rendered entries and the toggle keep the focus across renders by these. */
const FOCUS_KEYS = ['data-jump-to', 'data-collab-notes-toggle'];

export class NotesPanel {
  private expanded = false;
  private model: PanelModel | null = null;
  private readonly element: HTMLElement;
  private readonly roving: RovingList;
  /** Where the focus was when the panel opened: Escape goes back there. */
  private opener: FocusSpot | null = null;

  constructor(
    private readonly doc: Document,
    private readonly overlay: Overlay,
    private readonly cards: NoteCards,
    private readonly actions: PanelActions,
  ) {
    const element = overlay.orphans;
    this.element = element;
    element.classList.add('panel');
    element.setAttribute('role', 'region');
    element.setAttribute('aria-label', t('a11yNotesPanel'));
    this.roving = new RovingList(overlay, 'data-jump-to');
    overlay.listen(
      element,
      'keydown',
      trusted((event) => {
        if (event.key !== 'Escape' || !this.expanded) return;
        event.preventDefault();
        this.setExpanded(false);
        focusReturn(overlay).restore(this.opener);
      }),
    );
  }

  /** Opens the panel from the keyboard (its shortcut) and puts the focus on its list. */
  openFromKeyboard(): void {
    if (!this.model || this.element.hidden) return;
    if (!this.expanded) {
      this.opener = focusReturn(this.overlay).capture();
      this.setExpanded(true);
    }
    const list = this.element.querySelector<HTMLElement>('[data-collab-notes-list]');
    const target =
      (list && this.roving.stop(list)) ??
      this.element.querySelector<HTMLElement>('[data-collab-notes-toggle]');
    target?.focus();
  }

  update(model: PanelModel): void {
    this.model = model;
    const { topLevel, orphans, pendingCount } = model;
    this.element.hidden = topLevel.length === 0 && pendingCount === 0 && !model.active;
    const label =
      t('panelNotes', formatNumber(topLevel.length)) +
      (orphans.length ? ` · ${t('panelNotPlaced', formatNumber(orphans.length))}` : '') +
      (pendingCount ? ` · ${t('panelUnsent', formatNumber(pendingCount))}` : '');
    const parts: Part[] = [
      {
        key: 'toggle',
        sig: `${label}|${this.expanded}`,
        build: () => {
          const toggle = button(
            this.doc,
            label,
            'data-collab-notes-toggle',
            () => this.toggle(),
            'panel-toggle',
          );
          toggle.setAttribute('aria-expanded', String(this.expanded));
          return toggle;
        },
      },
    ];
    if (this.expanded) parts.push(this.list(model), ...this.orphanParts(orphans), this.tools());
    keepFocus(this.element, FOCUS_KEYS, () => reconcile(this.element, parts));
    const list = this.element.querySelector<HTMLElement>('[data-collab-notes-list]');
    if (list) this.roving.sync(list);
    this.element.classList.toggle('expanded', this.expanded);
  }

  private toggle(): void {
    if (!this.expanded) this.opener = focusReturn(this.overlay).capture();
    this.setExpanded(!this.expanded);
  }

  private setExpanded(expanded: boolean): void {
    this.expanded = expanded;
    if (this.model) this.update(this.model);
  }

  private list(model: PanelModel): Part {
    const doc = this.doc;
    const items: Part[] = [];
    const placed = model.topLevel
      .filter((note) => model.placed.has(note.id))
      .sort((a, b) => compareTargets(model.placed.get(a.id)!, model.placed.get(b.id)!));
    for (const note of placed) {
      const quote = quoteOf(note.anchor.selectors) ?? t('panelPointOnPage');
      const preview = `${safeName(note.author.name)}: ${note.body}`;
      const replies = model.repliesOf(note.id).length;
      const color = noteColor(note);
      items.push({
        key: note.id,
        sig: JSON.stringify([quote, preview, replies, color]),
        build: () => {
          const item = el(doc, 'li');
          const jump = button(doc, '', 'data-collab-jump', () => this.actions.jump(note.id), 'jump');
          jump.setAttribute('data-jump-to', note.id);
          jump.style.setProperty('--note-color', color);
          jump.append(el(doc, 'span', 'quote', quote), el(doc, 'span', 'preview', preview));
          if (replies > 0) jump.append(el(doc, 'span', 'count', repliesText(replies)));
          // Its text is generated content in parts: one name for screen readers and axe.
          jump.setAttribute('aria-label', spokenText(jump));
          item.append(jump);
          return item;
        },
      });
    }
    if (items.length === 0) {
      items.push({
        key: 'empty',
        sig: '',
        build: () => el(doc, 'li', 'empty', t('panelEmpty')),
      });
    }
    return {
      key: 'list',
      sig: '',
      build: () => {
        const list = el(doc, 'ol', 'note-list');
        list.setAttribute('data-collab-notes-list', '');
        list.setAttribute('aria-label', t('a11yNotesList'));
        return list;
      },
      children: items,
    };
  }

  private orphanParts(orphans: readonly Note[]): Part[] {
    if (orphans.length === 0) return [];
    const doc = this.doc;
    const title = t('panelCouldNotPlace', formatNumber(orphans.length));
    return [
      { key: 'orphans-title', sig: title, build: () => el(doc, 'h2', undefined, title) },
      {
        key: 'orphans',
        sig: '',
        build: () => {
          const list = el(doc, 'div', 'orphan-list');
          list.setAttribute('data-collab-orphans', '');
          return list;
        },
        children: orphans.map((note) => this.cards.card(note, quoteOf(note.anchor.selectors) ?? '')),
      },
    ];
  }

  private tools(): Part {
    const doc = this.doc;
    return {
      key: 'tools',
      sig: '',
      build: () => {
        const tools = el(doc, 'div', 'tools');
        const file = el(doc, 'input');
        file.type = 'file';
        file.accept = '.json,.jsonld,application/json,application/ld+json';
        file.hidden = true;
        file.setAttribute('data-collab-import-file', '');
        file.addEventListener('change', () => {
          // Files reach this input only through the browser's file chooser, opened by a trusted click.
          const chosen = file.files?.[0];
          // Emptied, so that choosing the same file again is a change too.
          file.value = '';
          if (!chosen) return;
          void chosen.text().then((text) => {
            try {
              this.actions.importNotes(JSON.parse(text) as unknown);
            } catch {
              this.actions.toast(t('panelNotJson'));
            }
          });
        });
        tools.append(
          button(doc, t('panelExport'), 'data-collab-export', () => this.actions.exportNotes(), 'tool'),
          button(doc, t('panelImport'), 'data-collab-import', () => file.click(), 'tool'),
          file,
        );
        return tools;
      },
    };
  }
}
