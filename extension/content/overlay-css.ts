/** Styles of the overlay's shadow root (cursors, note cards, composer, panels). */
export const OVERLAY_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }

.layer { position: absolute; top: 0; left: 0; width: 0; height: 0; pointer-events: none; }

.cursor {
  position: absolute; top: 0; left: 0; width: 18px; height: 22px;
  pointer-events: none; transition: transform 90ms linear; will-change: transform;
}
.cursor svg { display: block; width: 18px; height: 22px; filter: drop-shadow(0 1px 1px rgba(0, 0, 0, 0.35)); }
.cursor .label {
  position: absolute; top: 18px; left: 12px; max-width: 160px; padding: 2px 7px;
  border-radius: 4px; color: #fff; font: 500 12px/1.35 system-ui, -apple-system, 'Segoe UI', sans-serif;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  box-shadow: 0 1px 2px rgba(0, 0, 0, 0.25);
}
.cursor.flip .label { left: auto; right: 6px; }

.card {
  position: absolute; width: 220px; padding: 7px 10px 8px; pointer-events: auto;
  background: #ffffff; color: #1c1c1c; border-radius: 8px; border-left: 4px solid var(--note-color, #d6a100);
  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18); font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
}
.card .author { display: block; font-weight: 600; font-size: 12px; color: var(--note-color, #555); }
.card .body { margin: 2px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 9.5em; overflow: auto; }
.card .quote {
  margin: 4px 0; padding-left: 6px; border-left: 2px solid #ddd; color: #555; font-style: italic;
  overflow-wrap: anywhere; max-height: 4.2em; overflow: hidden;
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
  position: fixed; right: 12px; bottom: 12px; width: 260px; max-height: 40vh; overflow: auto; pointer-events: auto;
  padding: 8px; background: #fffdf5; border-radius: 8px; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.18);
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1c1c1c;
}
.orphans h2 { margin: 0; font-size: 11px; letter-spacing: 0.05em; text-transform: uppercase; color: #666; }
.orphans .card { position: static; width: auto; margin-top: 6px; box-shadow: none; border: 1px solid #eee;
  border-left: 4px solid var(--note-color, #d6a100); }

.toast {
  position: fixed; left: 50%; bottom: 16px; transform: translateX(-50%); max-width: 80vw; padding: 8px 12px;
  background: #1c1c1c; color: #fff; border-radius: 6px; pointer-events: auto;
  font: 13px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif;
}
`;
