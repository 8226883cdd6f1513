/**
 * Styles of the overlay's shadow root (cursors, note cards, composer, panels). Colours are
 * `:host` custom properties with a light and a dark set that follow the user's
 * `prefers-color-scheme`; every text colour reaches 4.5:1 on the surface it sits on (both
 * sets are checked in tests/unit/extension/contrast.test.ts). Colours that come from
 * people (cursors, notes) get their ink from contrast.ts.
 */
import { TEXT_CSS } from './overlay-text.js';

/** The light set; the dark set below overrides it under `prefers-color-scheme: dark`. */
export const LIGHT_COLORS = {
  '--surface': '#ffffff',
  '--surface-panel': '#fffdf5',
  '--surface-hover': '#f3f0e6',
  '--edge': 'transparent',
  '--text': '#1c1c1c',
  '--muted': '#5f5f5f',
  '--quote': '#555555',
  '--line': '#e6e6e6',
  '--field': '#8f8f8f',
  '--link': '#0b62c4',
  '--danger': '#c4271b',
  '--status': '#7a6100',
  '--inverse': '#1c1c1c',
  '--on-inverse': '#ffffff',
  '--conflict': '#fff4e5',
  '--conflict-edge': '#f0b46a',
  '--mine': '#7a3e00',
  '--pill': 'rgba(28, 28, 28, 0.86)',
  // Only seen where the page is as dark as the pill.
  '--pill-edge': 'rgba(255, 255, 255, 0.22)',
  '--on-pill': '#ffffff',
  '--shadow': 'rgba(0, 0, 0, 0.16)',
  '--shadow-strong': 'rgba(0, 0, 0, 0.24)',
} as const;

/** Surfaces lift by lightness, not by shadow (a shadow is lost on a dark page), and have an edge. */
export const DARK_COLORS: Record<keyof typeof LIGHT_COLORS, string> = {
  '--surface': '#26272b',
  '--surface-panel': '#222326',
  '--surface-hover': '#33353a',
  '--edge': '#45474d',
  '--text': '#ececec',
  '--muted': '#a8a8a8',
  '--quote': '#b8b8b8',
  '--line': '#3a3c41',
  '--field': '#7c7f87',
  '--link': '#78b6ff',
  '--danger': '#ff8b80',
  '--status': '#e3bd4d',
  '--inverse': '#ececec',
  '--on-inverse': '#1c1c1c',
  '--conflict': '#3b2c17',
  '--conflict-edge': '#8f6124',
  '--mine': '#ffc27d',
  '--pill': 'rgba(38, 39, 43, 0.94)',
  '--pill-edge': 'rgba(255, 255, 255, 0.22)',
  '--on-pill': '#ececec',
  '--shadow': 'rgba(0, 0, 0, 0.5)',
  '--shadow-strong': 'rgba(0, 0, 0, 0.6)',
};

const declarations = (set: Record<string, string>) =>
  Object.entries(set)
    .map(([name, value]) => `${name}: ${value};`)
    .join(' ');

export const OVERLAY_CSS = `
/*
 * Marks drawn on the page (bubbles, pins, cursor arrows) sit on any page, dark or light,
 * whatever the scheme: a light ring inside a dark one, so one of them stands out 3:1.
 */
:host { all: initial; color-scheme: light; ${declarations(LIGHT_COLORS)}
  --halo: 0 0 0 1px rgba(255, 255, 255, 0.9), 0 0 0 2px rgba(0, 0, 0, 0.6); }
@media (prefers-color-scheme: dark) { :host { color-scheme: dark; ${declarations(DARK_COLORS)} } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
/* Korean lines break between words (eojeol), as English ones do, not inside them. */
:host { word-break: keep-all; overflow-wrap: break-word; }
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
.cursor svg {
  display: block; width: 18px; height: 22px;
  filter: drop-shadow(0 0 0.6px rgba(0, 0, 0, 0.8)) drop-shadow(0 1px 1px rgba(0, 0, 0, 0.35));
}
.cursor .label {
  position: absolute; top: 18px; left: 12px; max-width: 160px; padding: 2px 7px;
  border-radius: 4px; color: var(--label-ink, #fff); font: 500 12px/1.35 system-ui, -apple-system, 'Segoe UI', sans-serif;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  box-shadow: 0 1px 2px rgba(0, 0, 0, 0.25);
}
.cursor.flip .label { left: auto; right: 6px; }

.card {
  position: absolute; width: 240px; padding: 7px 10px 8px; pointer-events: auto; cursor: default;
  background: var(--surface); color: var(--text); border-radius: 8px; border-left: 4px solid var(--note-color, #d6a100);
  box-shadow: 0 2px 10px var(--shadow), inset 0 0 0 1px var(--edge); font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
  transition: box-shadow 120ms;
}
.card:hover, .card.open { box-shadow: 0 6px 18px var(--shadow-strong), inset 0 0 0 1px var(--edge); z-index: 2; }
.card.flash { animation: collab-flash 900ms ease-out; }
@keyframes collab-flash { 0% { box-shadow: 0 0 0 4px var(--note-color, #d6a100); } 100% { box-shadow: 0 6px 18px var(--shadow-strong); } }
.card .meta { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; font-size: 12px; color: var(--muted); }
.card .author { font-weight: 600; color: var(--text); }
.card .author .dot { display: inline-block; width: 8px; height: 8px; margin-right: 4px;
  border-radius: 50%; background: var(--author-color, #888); }
.card .edited { font-style: italic; }
.card .body { margin: 2px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 12em; overflow: auto; }
.card .body a { color: var(--link); }
.card .quote {
  margin: 4px 0; padding-left: 6px; border-left: 2px solid var(--line); color: var(--quote); font-style: italic;
  overflow-wrap: anywhere; max-height: 4.2em; overflow: hidden;
}
.card .actions { display: flex; gap: 10px; margin-top: 4px; }
.card button.link { padding: 0; border: 0; background: none; color: var(--link); font: 600 12px system-ui, sans-serif; cursor: pointer; }
.card button.link:hover { text-decoration: underline; }
.card button.danger { color: var(--danger); }
.card .thread { margin-top: 6px; }
.card .thread:has(.reply) { border-top: 1px solid var(--line); padding-top: 4px; }
.card .reply { margin: 4px 0 0 6px; padding-left: 8px; border-left: 2px solid var(--line); }
.card .status { margin-top: 3px; font-size: 11px; color: var(--status); }
.card.pending, .card .reply.pending { opacity: 0.75; }
.card .inline-editor { display: flex; flex-direction: column; gap: 4px; margin-top: 4px; }
.card .inline-editor textarea {
  min-height: 52px; resize: vertical; padding: 5px 7px; border: 1px solid var(--field); border-radius: 6px;
  font: 13px/1.4 system-ui, sans-serif; color: var(--text); background: var(--surface);
}
.card .inline-editor .actions { justify-content: flex-end; align-items: center; }
.card button.small-primary {
  padding: 4px 10px; border-radius: 6px; border: 0; background: var(--inverse); color: var(--on-inverse);
  font: 600 12px system-ui, sans-serif; cursor: pointer;
}
.card .conflict { margin-top: 6px; padding: 6px 8px; border-radius: 6px; background: var(--conflict); border: 1px solid var(--conflict-edge); font-size: 12px; }
.card .conflict .label { margin-top: 4px; color: var(--muted); }
.card .conflict p { margin: 2px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.card .conflict .mine { color: var(--mine); }
.card .bubble-label { display: none; }
/*
 * A collapsed card: a bubble in the note's colour with a ring in its author's colour,
 * the number of notes in its thread, and on hover or focus who wrote it.
 */
.card.bubble {
  width: 28px; height: 28px; padding: 0; overflow: visible; cursor: pointer; border-radius: 50% 50% 50% 4px;
  border: 0; background: var(--note-color, #d6a100); box-shadow: var(--halo), 0 1px 4px rgba(0, 0, 0, 0.35);
}
.card.bubble > :not(.bubble-label) { display: none; }
.card.bubble .bubble-label {
  display: block; width: 28px; height: 28px; border-radius: inherit;
  box-shadow: inset 0 0 0 3px var(--author-color, #888);
}
.card.bubble .count { display: block; text-align: center; font: 700 12px/28px system-ui, sans-serif; color: var(--note-ink, #1c1c1c); }
.card .bubble-tip {
  display: none; position: absolute; top: 2px; right: 34px; padding: 3px 8px; border-radius: 4px; white-space: nowrap;
  background: var(--inverse); color: var(--on-inverse); font: 500 12px/1.4 system-ui, sans-serif; pointer-events: none;
}
.card.bubble:hover .bubble-tip, .card.bubble:focus-within .bubble-tip { display: block; }
.pin {
  position: absolute; width: 14px; height: 14px; margin: -7px 0 0 -7px; border-radius: 50%; pointer-events: auto; cursor: pointer;
  background: var(--note-color, #d6a100); border: 2px solid #fff; box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.6), 0 1px 4px rgba(0, 0, 0, 0.4);
}

.add-note, .editor button {
  font: 600 12px/1 system-ui, -apple-system, 'Segoe UI', sans-serif; border-radius: 6px; cursor: pointer;
  padding: 6px 10px; border: 1px solid var(--field); background: var(--surface); color: var(--text);
}
.add-note, .editor button.save { background: var(--inverse); border-color: var(--inverse); color: var(--on-inverse); }
.add-note { position: absolute; pointer-events: auto; box-shadow: 0 2px 8px var(--shadow-strong); }
.editor {
  position: absolute; width: 270px; padding: 8px; pointer-events: auto; display: flex; flex-direction: column; gap: 6px;
  background: var(--surface); border-radius: 8px; box-shadow: 0 6px 20px var(--shadow-strong), inset 0 0 0 1px var(--edge);
}
.editor textarea {
  min-height: 72px; resize: vertical; padding: 6px 8px; border: 1px solid var(--field); border-radius: 6px;
  background: var(--surface); color: var(--text); font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
}
.editor textarea:focus { outline: 2px solid #0090ff; outline-offset: -1px; }
.editor .actions { display: flex; justify-content: flex-end; gap: 6px; }
.editor .hint { margin-right: auto; align-self: center; color: var(--muted); font: 11px system-ui, sans-serif; }

.orphans {
  position: fixed; right: 12px; bottom: 12px; width: 290px; max-height: 60vh; overflow: auto; pointer-events: auto;
  background: var(--surface-panel); border-radius: 8px; box-shadow: 0 4px 14px var(--shadow), inset 0 0 0 1px var(--edge);
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--text);
}
.orphans:not(.expanded) { width: auto; }
.panel-toggle {
  display: block; width: 100%; padding: 8px 12px; border: 0; background: none; text-align: left; cursor: pointer;
  font: 600 12px system-ui, sans-serif; color: var(--text);
}
.panel-toggle::after { content: ' ▴'; color: var(--muted); }
.expanded .panel-toggle::after { content: ' ▾'; }
.expanded .panel-toggle { border-bottom: 1px solid var(--line); }
.note-list { list-style: none; margin: 0; padding: 4px; }
.note-list .empty { padding: 6px 8px; color: var(--muted); }
.jump {
  display: block; width: 100%; margin: 2px 0; padding: 5px 8px; text-align: left; cursor: pointer;
  border: 0; border-left: 4px solid var(--note-color, #d6a100); border-radius: 4px; background: var(--surface);
  font: 12px/1.35 system-ui, sans-serif; color: var(--text);
}
.jump:hover { background: var(--surface-hover); }
.jump .quote { display: block; font-style: italic; color: var(--quote); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.jump .preview { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.jump .count { display: block; color: var(--muted); font-size: 11px; }
.orphans h2 { margin: 6px 8px 0; font-size: 11px; letter-spacing: 0.05em; text-transform: uppercase; color: var(--muted); }
.orphan-list { padding: 0 6px; }
.orphans .card { position: static; width: auto; margin-top: 6px; box-shadow: none; border: 1px solid var(--line);
  border-left: 4px solid var(--note-color, #d6a100); }
.orphans .card blockquote.quote { margin: 4px 0; }
.tools { display: flex; gap: 6px; padding: 6px 8px 8px; border-top: 1px solid var(--line); }
.tools button { padding: 4px 8px; border: 1px solid var(--field); border-radius: 6px; background: var(--surface); cursor: pointer;
  font: 600 11px system-ui, sans-serif; color: var(--text); }

.swatches { display: flex; gap: 6px; }
.editor .swatch { width: 20px; height: 20px; padding: 0; border-radius: 50%; border: 2px solid var(--surface); cursor: pointer;
  background: var(--swatch); box-shadow: 0 0 0 1px var(--field); }
.editor .swatch[aria-checked='true'] { box-shadow: 0 0 0 2px var(--text); }

.toast {
  position: fixed; left: 50%; bottom: 16px; transform: translateX(-50%); max-width: 80vw; padding: 8px 12px;
  background: var(--inverse); color: var(--on-inverse); border-radius: 6px; pointer-events: auto;
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
}

/* "Sharing is on" pill: small, in a corner, never takes clicks, so it never stands in the page's way. */
.indicator {
  position: fixed; left: 12px; bottom: 12px; display: flex; align-items: center; gap: 6px;
  padding: 3px 9px 3px 7px; border-radius: 999px; pointer-events: none;
  background: var(--pill); color: var(--on-pill); font: 500 11px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25), inset 0 0 0 1px var(--pill-edge);
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
