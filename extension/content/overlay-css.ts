/** Styles of the overlay's shadow root (cursors, note cards, composer, panels). */
import { TEXT_CSS } from './overlay-text.js';

export const OVERLAY_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
/* Every string is generated content: painted, read by screen readers, not findable by the page. */
${TEXT_CSS}

.layer { position: absolute; top: 0; left: 0; width: 0; height: 0; pointer-events: none; }

.cursor {
  position: absolute; top: 0; left: 0; width: 18px; height: 22px;
  pointer-events: none; will-change: transform; transition: opacity 200ms;
}
.cursor.idle { opacity: 0.4; }
/* Off-viewport cursor: a pill at the viewport's edge, its arrow turned towards the cursor. */
.cursor[data-edge] {
  display: flex; align-items: center; gap: 2px; width: 150px; height: 26px;
}
.cursor[data-edge] svg { flex: none; transform: rotate(calc(var(--edge-angle, 0rad) + 2.36rad)); transform-origin: 50% 50%; }
.cursor[data-edge] .label { position: static; max-width: 128px; }
.cursor svg { display: block; width: 18px; height: 22px; filter: drop-shadow(0 1px 1px rgba(0, 0, 0, 0.35)); }
.cursor .label {
  position: absolute; top: 18px; left: 12px; max-width: 160px; padding: 2px 7px;
  border-radius: 4px; color: #fff; font: 500 12px/1.35 system-ui, -apple-system, 'Segoe UI', sans-serif;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  box-shadow: 0 1px 2px rgba(0, 0, 0, 0.25);
}
.cursor.flip .label { left: auto; right: 6px; }

.card {
  position: absolute; width: 240px; padding: 7px 10px 8px; pointer-events: auto; cursor: default;
  background: #ffffff; color: #1c1c1c; border-radius: 8px; border-left: 4px solid var(--note-color, #d6a100);
  box-shadow: 0 2px 10px rgba(0, 0, 0, 0.16); font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
  transition: box-shadow 120ms;
}
.card:hover, .card.open { box-shadow: 0 6px 18px rgba(0, 0, 0, 0.24); z-index: 2; }
.card.flash { animation: collab-flash 900ms ease-out; }
@keyframes collab-flash { 0% { box-shadow: 0 0 0 4px var(--note-color, #d6a100); } 100% { box-shadow: 0 6px 18px rgba(0, 0, 0, 0.24); } }
.card .meta { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; font-size: 12px; color: #666; }
.card .author { font-weight: 600; color: #1c1c1c; }
.card .author .dot { display: inline-block; width: 8px; height: 8px; margin-right: 4px;
  border-radius: 50%; background: var(--author-color, #888); }
.card .edited { font-style: italic; }
.card .body { margin: 2px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 12em; overflow: auto; }
.card .body a { color: #0b62c4; }
.card .quote {
  margin: 4px 0; padding-left: 6px; border-left: 2px solid #ddd; color: #555; font-style: italic;
  overflow-wrap: anywhere; max-height: 4.2em; overflow: hidden;
}
.card .actions { display: flex; gap: 10px; margin-top: 4px; }
.card button.link { padding: 0; border: 0; background: none; color: #0b62c4; font: 600 12px system-ui, sans-serif; cursor: pointer; }
.card button.link:hover { text-decoration: underline; }
.card button.danger { color: #c4271b; }
.card .thread { margin-top: 6px; }
.card .thread:has(.reply) { border-top: 1px solid #eee; padding-top: 4px; }
.card .reply { margin: 4px 0 0 6px; padding-left: 8px; border-left: 2px solid #eee; }
.card .status { margin-top: 3px; font-size: 11px; color: #8a6d00; }
.card.pending, .card .reply.pending { opacity: 0.75; }
.card .inline-editor { display: flex; flex-direction: column; gap: 4px; margin-top: 4px; }
.card .inline-editor textarea {
  min-height: 52px; resize: vertical; padding: 5px 7px; border: 1px solid #c9c9c9; border-radius: 6px;
  font: 13px/1.4 system-ui, sans-serif; color: #1c1c1c; background: #fff;
}
.card .inline-editor .actions { justify-content: flex-end; align-items: center; }
.card button.small-primary {
  padding: 4px 10px; border-radius: 6px; border: 0; background: #1c1c1c; color: #fff;
  font: 600 12px system-ui, sans-serif; cursor: pointer;
}
.card .conflict { margin-top: 6px; padding: 6px 8px; border-radius: 6px; background: #fff4e5; border: 1px solid #f0b46a; font-size: 12px; }
.card .conflict .label { margin-top: 4px; color: #666; }
.card .conflict p { margin: 2px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.card .conflict .mine { color: #7a3e00; }
.card .bubble-label { display: none; }
/*
 * A collapsed card: a bubble in the note's colour with a ring in its author's colour,
 * the number of notes in its thread, and on hover or focus who wrote it.
 */
.card.bubble {
  width: 28px; height: 28px; padding: 0; overflow: visible; cursor: pointer; border-radius: 50% 50% 50% 4px;
  border: 0; background: var(--note-color, #d6a100); box-shadow: 0 1px 4px rgba(0, 0, 0, 0.35);
}
.card.bubble > :not(.bubble-label) { display: none; }
.card.bubble .bubble-label {
  display: block; width: 28px; height: 28px; border-radius: inherit;
  box-shadow: inset 0 0 0 3px var(--author-color, #888);
}
.card.bubble .count { display: block; text-align: center; font: 700 12px/28px system-ui, sans-serif; color: #1c1c1c; }
.card .bubble-tip {
  display: none; position: absolute; top: 2px; right: 34px; padding: 3px 8px; border-radius: 4px; white-space: nowrap;
  background: #1c1c1c; color: #fff; font: 500 12px/1.4 system-ui, sans-serif; pointer-events: none;
}
.card.bubble:hover .bubble-tip, .card.bubble:focus-within .bubble-tip { display: block; }
.pin {
  position: absolute; width: 14px; height: 14px; margin: -7px 0 0 -7px; border-radius: 50%; pointer-events: auto; cursor: pointer;
  background: var(--note-color, #d6a100); border: 2px solid #fff; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.4);
}

.add-note, .editor button {
  font: 600 12px/1 system-ui, -apple-system, 'Segoe UI', sans-serif; border-radius: 6px; cursor: pointer;
  padding: 6px 10px; border: 1px solid #c9c9c9; background: #fff; color: #1c1c1c;
}
.add-note, .editor button.save { background: #1c1c1c; border-color: #1c1c1c; color: #fff; }
.add-note { position: absolute; pointer-events: auto; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); }
.editor {
  position: absolute; width: 270px; padding: 8px; pointer-events: auto; display: flex; flex-direction: column; gap: 6px;
  background: #fff; border-radius: 8px; box-shadow: 0 6px 20px rgba(0, 0, 0, 0.22);
}
.editor textarea {
  min-height: 72px; resize: vertical; padding: 6px 8px; border: 1px solid #c9c9c9; border-radius: 6px;
  background: #fff; color: #1c1c1c; font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
}
.editor textarea:focus { outline: 2px solid #0090ff; outline-offset: -1px; }
.editor .actions { display: flex; justify-content: flex-end; gap: 6px; }
.editor .hint { margin-right: auto; align-self: center; color: #777; font: 11px system-ui, sans-serif; }

.orphans {
  position: fixed; right: 12px; bottom: 12px; width: 290px; max-height: 60vh; overflow: auto; pointer-events: auto;
  background: #fffdf5; border-radius: 8px; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18);
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1c1c1c;
}
.orphans:not(.expanded) { width: auto; }
.panel-toggle {
  display: block; width: 100%; padding: 8px 12px; border: 0; background: none; text-align: left; cursor: pointer;
  font: 600 12px system-ui, sans-serif; color: #1c1c1c;
}
.panel-toggle::after { content: ' ▴'; color: #888; }
.expanded .panel-toggle::after { content: ' ▾'; }
.expanded .panel-toggle { border-bottom: 1px solid #eee; }
.note-list { list-style: none; margin: 0; padding: 4px; }
.note-list .empty { padding: 6px 8px; color: #666; }
.jump {
  display: block; width: 100%; margin: 2px 0; padding: 5px 8px; text-align: left; cursor: pointer;
  border: 0; border-left: 4px solid var(--note-color, #d6a100); border-radius: 4px; background: #fff;
  font: 12px/1.35 system-ui, sans-serif; color: #1c1c1c;
}
.jump:hover { background: #f3f0e6; }
.jump .quote { display: block; font-style: italic; color: #555; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.jump .preview { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.jump .count { display: block; color: #888; font-size: 11px; }
.orphans h2 { margin: 6px 8px 0; font-size: 11px; letter-spacing: 0.05em; text-transform: uppercase; color: #666; }
.orphan-list { padding: 0 6px; }
.orphans .card { position: static; width: auto; margin-top: 6px; box-shadow: none; border: 1px solid #eee;
  border-left: 4px solid var(--note-color, #d6a100); }
.orphans .card blockquote.quote { margin: 4px 0; }
.tools { display: flex; gap: 6px; padding: 6px 8px 8px; border-top: 1px solid #eee; }
.tools button { padding: 4px 8px; border: 1px solid #c9c9c9; border-radius: 6px; background: #fff; cursor: pointer;
  font: 600 11px system-ui, sans-serif; color: #1c1c1c; }

.swatches { display: flex; gap: 6px; }
.editor .swatch { width: 20px; height: 20px; padding: 0; border-radius: 50%; border: 2px solid #fff; cursor: pointer;
  background: var(--swatch); box-shadow: 0 0 0 1px #bbb; }
.editor .swatch[aria-checked='true'] { box-shadow: 0 0 0 2px #1c1c1c; }

.toast {
  position: fixed; left: 50%; bottom: 16px; transform: translateX(-50%); max-width: 80vw; padding: 8px 12px;
  background: #1c1c1c; color: #fff; border-radius: 6px; pointer-events: auto;
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
}

/* "Sharing is on" pill: small, in a corner, never takes clicks, so it never stands in the page's way. */
.indicator {
  position: fixed; left: 12px; bottom: 12px; display: flex; align-items: center; gap: 6px;
  padding: 3px 9px 3px 7px; border-radius: 999px; pointer-events: none;
  background: rgba(28, 28, 28, 0.82); color: #fff; font: 500 11px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25);
}
.indicator .dot { width: 8px; height: 8px; border-radius: 50%; background: #30a46c; }

/*
 * Keyboard and screen readers. The focus ring is blue (5.9:1 on white) with a white halo,
 * so it shows on light cards and on dark pages alike; only for keyboard focus.
 */
.card .bubble-label { padding: 0; border: 0; margin: 0; background: none; color: inherit; font: inherit; cursor: pointer; }
:focus { outline: none; }
:focus-visible, .card.bubble .bubble-label:focus-visible {
  outline: 2px solid #0b62c4; outline-offset: 2px; box-shadow: 0 0 0 5px #fff;
}
.card.bubble .bubble-label:focus-visible { box-shadow: inset 0 0 0 3px var(--author-color, #888), 0 0 0 5px #fff; }
.jump:focus-visible, .panel-toggle:focus-visible, .card textarea:focus-visible, .editor textarea:focus-visible {
  outline-offset: -2px; box-shadow: none;
}
.card:focus-visible { outline-offset: 3px; }
.sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip-path: inset(50%); white-space: nowrap;
}
`;
