/**
 * A popup text field that saves itself as the user types. The toolbar popup closes the moment
 * the user clicks elsewhere, with no Enter and often no blur, so nothing may wait for either:
 * a value is saved once typing pauses for {@link AUTOSAVE_DELAY_MS}, at once on Enter or
 * blur, and whatever is still waiting when the popup hides or unloads goes out then. A value
 * that does not parse is never sent; the field's hint says why, and the last saved value
 * stays in force. The name and the server URL both work this way.
 */
import { t } from '../shared/i18n.js';

/** Typing pauses this long before a value is saved. */
export const AUTOSAVE_DELAY_MS = 400;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A `parse` for {@link autosave} from a zod schema: its value, or `message` when it refuses. */
export function parseWith<T>(
  schema: { safeParse(text: string): { success: true; data: T } | { success: false } },
  message: string,
) {
  return (text: string): Parsed<T> => {
    const parsed = schema.safeParse(text);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message };
  };
}

export interface AutosaveOptions<T> {
  input: HTMLInputElement;
  /** Where the field says it saved, or why it cannot. */
  hint: HTMLElement;
  parse(text: string): Parsed<T>;
  /** The value in force now; an equal one is not sent again. */
  saved(): T | undefined;
  /** Sends the value; resolves true once it is stored. */
  save(value: T): Promise<boolean>;
  delayMs?: number;
}

export interface Autosave {
  /** Saves what waits, now. */
  flush(): void;
}

export function autosave<T>(options: AutosaveOptions<T>): Autosave {
  const { input, hint } = options;
  const view = input.ownerDocument.defaultView;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const say = (text: string, invalid: boolean): void => {
    hint.textContent = text;
    hint.hidden = text === '';
    hint.dataset.state = invalid ? 'invalid' : 'saved';
    input.setAttribute('aria-invalid', String(invalid));
  };

  const flush = (): void => {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    const parsed = options.parse(input.value);
    if (!parsed.ok) {
      say(parsed.message, true);
      return;
    }
    say('', false);
    if (parsed.value === options.saved()) return;
    void options.save(parsed.value).then((stored) => {
      if (stored && timer === null) say(t('popupSaved'), false);
    });
  };

  /** Marks the field as changed and (re)starts the wait. */
  const schedule = (delay: number): void => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(flush, delay);
  };

  input.addEventListener('input', () => {
    // Typing again clears an old verdict; the new one comes when the user pauses.
    if (hint.dataset.state === 'saved') say('', false);
    schedule(options.delayMs ?? AUTOSAVE_DELAY_MS);
  });
  input.addEventListener('change', flush);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      schedule(0);
      flush();
    }
  });
  // The popup is going away (click-away closes it): send what waits while we still can.
  view?.addEventListener('pagehide', flush);
  input.ownerDocument.addEventListener('visibilitychange', () => {
    if (input.ownerDocument.visibilityState === 'hidden') flush();
  });
  return { flush };
}
