/**
 * The notes panel in the page's corner: a toggle with the counts, and when opened the
 * list of the page's placed notes (a click jumps to one), the notes that could not be
 * placed with their quoted words (as cards), and export and import of the room's notes.
 */
import type { Note } from '../../../protocol/index.js';
import { formatNumber, t } from '../../shared/i18n.js';
import { safeName } from '../safe-values.js';
import { reconcile, type Part } from './keyed-parts.js';
import type { NoteCards } from './note-card.js';
import { noteColor, repliesText } from './note-card.js';
import { quoteOf } from './note-anchors.js';
import { button, el } from './overlay-ui.js';

export interface PanelModel {
  topLevel: readonly Note[];
  placed: ReadonlySet<string>;
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

export class NotesPanel {
  private expanded = false;
  private model: PanelModel | null = null;

  constructor(
    private readonly doc: Document,
    private readonly element: HTMLElement,
    private readonly cards: NoteCards,
    private readonly actions: PanelActions,
  ) {
    element.classList.add('panel');
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
    reconcile(this.element, parts);
    this.element.classList.toggle('expanded', this.expanded);
  }

  private toggle(): void {
    this.expanded = !this.expanded;
    if (this.model) this.update(this.model);
  }

  private list(model: PanelModel): Part {
    const doc = this.doc;
    const items: Part[] = [];
    for (const note of model.topLevel) {
      if (!model.placed.has(note.id)) continue;
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
