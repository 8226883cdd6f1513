/**
 * Dark pages and dark mode, as Bob sees them in real Chromium: on a real page (lwn-1 of
 * the Readability test pages) as published and rewritten dark (the stylesheet a dark
 * theme or a dark-mode extension puts on it), with the browser in the light and in the
 * dark colour scheme, the text of Alice's cursor label, her note's bubble, its card
 * opened, the "sharing" pill, the notes panel, the composer, a toast and the popup
 * reaches WCAG AA (4.5:1) on what is painted behind it, and the words under her note's
 * highlight stay at 4.5:1 with an underline at 3:1 against the page. Alice carries
 * #0090ff (white on it read 3.3:1) and her note an imported #6e56cf (its dark count read
 * 3.2:1). On a page with a dark mode of its own, highlights are fitted again when the
 * scheme flips, and a yellow bubble stands out from white by its rings. Saves the
 * screenshots.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AA_GRAPHIC,
  AA_TEXT,
  contrast,
  flatten,
  luminance,
  parseCssColor,
  type Rgba,
} from '../../extension/content/contrast.js';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import {
  edgeContrast,
  lowest,
  overlayTexts,
  pageTexts,
  type MeasuredText,
} from './support/contrast-probe.js';
import { addNote, cardWith, joinWithPopup, openComposerOn, openPanel } from './support/notes-ui.js';
import { cursorOf, overlay } from './support/overlay-probe.js';
import { centre, wordBox } from './support/page-text.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const PAGE = 'lwn-1/source.html';
const USER_COLOR = '#0090ff';
const NOTE_COLOR = '#6e56cf';
const NOTE_BODY = 'Which two companies, and since when?';
const HIGHLIGHT = `collab-note-${NOTE_COLOR.slice(1)}`;

/** A site's dark theme, or what a dark-mode extension does to a light page. */
const DARK_CSS = `<style data-test-dark>
  :root { color-scheme: dark; }
  html, body { background: #16181c !important; color: #d4d4d4 !important; }
  body * { background-color: transparent !important; color: inherit !important; border-color: #34373d !important; }
  a, a * { color: #8ab4f8 !important; }
</style>`;

type Scheme = 'light' | 'dark';
type Tone = 'light page' | 'dark page';
/** What Bob's copy of the page is: as published, always dark, or dark in the dark scheme only. */
type Rewrite = Tone | 'page following the scheme';

/** Screenshots worth looking at: each scheme on the page of the other tone, and both dark. */
const SHOTS: Partial<Record<`${Tone}|${Scheme}`, string>> = {
  'dark page|dark': 'dark-note.png',
  'dark page|light': 'light-note-on-dark-page.png',
  'light page|dark': 'dark-note-on-light-page.png',
};

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;
let bobPageTone: Rewrite = 'light page';
let work: string;

/** Lowest ratio per element, scheme and page (written out with CONTRAST_FIGURES=file). */
const figures: Record<string, string> = {};

function expectLegible(label: string, texts: readonly MeasuredText[], min = AA_TEXT): void {
  const low = lowest(texts);
  figures[label] = `${low.ratio.toFixed(2)} (${low.what})`;
  // Soft: one run reports every element that falls short, not only the first.
  expect.soft(low.ratio, `${label}: ${low.what} at ${low.ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(min);
}

/** An AnnotationCollection with one note on "battle" in a colour no palette offers. */
function importFile(url: string): string {
  const file = join(work, 'purple.jsonld');
  const item = {
    id: 'urn:test:dark-1',
    type: 'Annotation',
    body: { type: 'TextualBody', value: NOTE_BODY },
    target: {
      source: url,
      selector: [
        { type: 'TextQuoteSelector', exact: 'battle', prefix: 'current fight is a ', suffix: ' between two' },
      ],
    },
    stylesheet: { type: 'CssStylesheet', value: `.purple { background-color: ${NOTE_COLOR} }` },
  };
  const collection = { type: 'AnnotationCollection', total: 1, first: { items: [item] } };
  writeFileSync(file, JSON.stringify(collection));
  return file;
}

/** A file the import refuses. */
function notJson(): string {
  const file = join(work, 'notes.txt');
  writeFileSync(file, 'not a collection');
  return file;
}

/** The page's words under the note's highlight: their colour, the page behind them, the tint, the underline. */
async function highlightContrast(page: Page, name = HIGHLIGHT): Promise<{ text: number; underline: number }> {
  const painted = await page.evaluate((name) => {
    const highlight = CSS.highlights.get(name);
    const range = highlight && [...highlight][0];
    if (!(range instanceof Range)) throw new Error(`no highlight ${name}`);
    const node = range.commonAncestorContainer;
    const element = node instanceof Element ? node : node.parentElement!;
    const layers: string[] = [];
    for (let el: Element | null = element; el; el = el.parentElement)
      layers.unshift(getComputedStyle(el).backgroundColor);
    const rule = document.querySelector(`style[data-${name}]`)?.textContent ?? '';
    return { text: getComputedStyle(element).color, layers, rule };
  }, name);
  const read = (value: string | undefined): Rgba => {
    const color = value === undefined ? null : parseCssColor(value);
    if (!color) throw new Error(`cannot read ${value} (${painted.rule})`);
    return color;
  };
  const background = flatten({ r: 255, g: 255, b: 255 }, painted.layers.map(read));
  const tint = read(/background-color:\s*(rgba?\([^)]*\))/.exec(painted.rule)?.[1]);
  const line = /underline \S+ (#[0-9a-f]{6})/i.exec(painted.rule)?.[1];
  const text = flatten(background, [read(painted.text)]);
  return {
    text: contrast(text, flatten(background, [tint])),
    // No underline: nothing marks the words but the tint.
    underline: line === undefined ? 1 : contrast(read(line), background),
  };
}

/** The relative luminance of an element's own (opaque) background. */
async function surfaceLuminance(element: {
  evaluate<R>(fn: (el: Element) => R, arg?: null): Promise<R>;
}): Promise<number> {
  const value = await element.evaluate((el) => getComputedStyle(el).backgroundColor, null);
  const color = parseCssColor(value);
  if (!color || color.a < 1) throw new Error(`not an opaque background: ${value}`);
  return luminance(color);
}

/** Dark surfaces in the dark scheme, light ones in the light scheme. */
const followsScheme = (scheme: Scheme) => (value: number) => (scheme === 'dark' ? value < 0.05 : value > 0.8);

/** Bob opens the page, published or rewritten dark; Alice's pointer is on the words of her note. */
async function showPage(tone: Rewrite, scheme: Scheme): Promise<void> {
  bobPageTone = tone;
  await bobPage.emulateMedia({ colorScheme: scheme });
  await bobPage.goto(`${pages.url}/${PAGE}`);
  await cardWith(bobPage, 'Which two companies').waitFor();
  await cardWith(bobPage, 'Which two companies').scrollIntoViewIfNeeded();
  // Alice points at "Arduino SRL" (her page scrolled like Bob's), so Bob sees her cursor beside the card.
  const target = centre(await wordBox(alicePage, 'body', 'Arduino SRL'));
  await alicePage.mouse.move(target.x, target.y + 20);
  await alicePage.mouse.move(target.x + 30, target.y, { steps: 3 });
  await cursorOf(bobPage, 'Alice').waitFor();
  await expect.poll(() => cursorOf(bobPage, 'Alice').getAttribute('data-idle')).toBe('false');
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'collab-dark-'));
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, '../fixtures/real-pages'));
  [alice, bob] = await Promise.all([launchUser('alice'), launchUser('bob')]);
  // Bob's copy of the page is rewritten dark when the test says so; the URL (the room) stays.
  await bob.context.route(`${pages.url}/${PAGE}`, async (route) => {
    const response = await route.fetch();
    const html = await response.text();
    const dark =
      bobPageTone === 'dark page'
        ? DARK_CSS
        : bobPageTone === 'page following the scheme'
          ? DARK_CSS.replace(
              /^<style data-test-dark>([^]*)<\/style>$/,
              (_, rules: string) =>
                `<style data-test-dark>@media (prefers-color-scheme: dark) {${rules}}</style>`,
            )
          : '';
    const body = html.replace('</head>', `${dark}</head>`);
    await route.fulfill({ response, body });
  });
  alicePage = await alice.context.newPage();
  bobPage = await bob.context.newPage();
  const url = `${pages.url}/${PAGE}`;
  await Promise.all([alicePage.goto(url), bobPage.goto(url)]);
  await joinWithPopup(alice, alicePage, server.url, 'Alice');
  await joinWithPopup(bob, bobPage, server.url, 'Bob');
  // Alice takes the blue whose white label was too faint, and imports her purple note.
  const popup = await alice.openPopup(alicePage);
  await popup.locator(`#color [data-color="${USER_COLOR}"]`).click();
  await popup.locator(`#color [data-color="${USER_COLOR}"][aria-checked="true"]`).waitFor();
  await popup.close();
  await alicePage.bringToFront();
  await openPanel(alicePage);
  await overlay(alicePage).locator('[data-collab-import-file]').setInputFiles(importFile(url));
  await cardWith(alicePage, 'Which two companies').waitFor();
  await alicePage.evaluate(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode())
      if (node.textContent!.includes('battle between two')) {
        node.parentElement!.scrollIntoView({ block: 'center', behavior: 'instant' });
        return;
      }
  });
});

afterAll(async () => {
  if (process.env.CONTRAST_FIGURES)
    writeFileSync(process.env.CONTRAST_FIGURES, JSON.stringify(figures, null, 2));
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await server?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each<Tone>(['light page', 'dark page'])('on a %s', (tone) => {
  it.each<Scheme>(['light', 'dark'])(
    'in the %s scheme the label, bubble, card, pill, panel, composer, toast and highlight read at WCAG AA',
    async (scheme) => {
      await showPage(tone, scheme);
      const at = `${tone}, ${scheme} scheme`;
      // The page is what the test says it is.
      const pageBackground = await bobPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(
        contrast(flatten({ r: 255, g: 255, b: 255 }, [parseCssColor(pageBackground)!]), '#000000'),
      ).satisfies((ratio: number) => (tone === 'dark page' ? ratio < 2 : ratio > 15));
      expect(await bobPage.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(
        scheme === 'dark',
      );

      expectLegible(`cursor label, ${at}`, await overlayTexts(cursorOf(bobPage, 'Alice')));
      const card = cardWith(bobPage, 'Which two companies');
      await expect.poll(() => card.getAttribute('class')).toContain('bubble');
      expectLegible(`bubble, ${at}`, await overlayTexts(card));
      const box = (await card.boundingBox())!;
      await bobPage.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await card.locator('.bubble-tip').waitFor();
      expectLegible(`bubble and its tip, ${at}`, await overlayTexts(card));
      await card.click();
      await expect.poll(() => card.getAttribute('class')).toContain('open');
      // Measured and photographed once its opening flash is over.
      await card.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)), null);
      expectLegible(`card, ${at}`, await overlayTexts(card));
      // The card follows the scheme, whatever the page's own tone.
      expect(await surfaceLuminance(card)).satisfies(followsScheme(scheme));
      expectLegible(`pill, ${at}`, await overlayTexts(overlay(bobPage).locator('[data-collab-indicator]')));
      expectLegible(`notes panel, ${at}`, await overlayTexts(overlay(bobPage).locator('.orphans')));
      // The composer, on words clear of the opened card; closed again so the screenshot shows the card.
      await openComposerOn(bobPage, 'body', 'Mellis');
      expectLegible(`composer, ${at}`, await overlayTexts(overlay(bobPage).locator('.editor')));
      await overlay(bobPage).locator('[data-collab-note-cancel]').click();
      await overlay(bobPage).locator('.editor').waitFor({ state: 'detached' });
      await card.click();
      await expect.poll(() => card.getAttribute('class')).toContain('open');
      await card.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)), null);

      const highlight = await highlightContrast(bobPage);
      figures[`highlighted words, ${at}`] = highlight.text.toFixed(2);
      figures[`highlight underline, ${at}`] = highlight.underline.toFixed(2);
      expect.soft(highlight.text, `words under the highlight, ${at}`).toBeGreaterThanOrEqual(AA_TEXT);
      expect.soft(highlight.underline, `highlight underline, ${at}`).toBeGreaterThanOrEqual(AA_GRAPHIC);

      const shot = SHOTS[`${tone}|${scheme}`];
      if (shot) await bobPage.screenshot({ path: `${SCREENSHOTS}/${shot}` });

      // A toast, and the panel opened: a file that is not JSON, picked for import.
      await openPanel(bobPage);
      expectLegible(`notes panel opened, ${at}`, await overlayTexts(overlay(bobPage).locator('.orphans')));
      await overlay(bobPage).locator('[data-collab-import-file]').setInputFiles(notJson());
      const toast = overlay(bobPage).locator('.toast').filter({ hasText: 'not JSON' });
      await toast.waitFor();
      expectLegible(`toast, ${at}`, await overlayTexts(toast));
    },
  );
});

describe('the popup', () => {
  it.each<Scheme>(['light', 'dark'])('reads at WCAG AA in the %s scheme', async (scheme) => {
    const popup = await bob.openPopup(bobPage);
    await popup.emulateMedia({ colorScheme: scheme });
    await popup
      .locator('#status')
      .filter({ hasText: /^Connected$/ })
      .waitFor();
    await popup.locator('#peers li').filter({ hasText: 'Alice' }).waitFor();
    // "Saved" under the name: it was the palette's green as text.
    await popup.locator('#name').fill(`Bob (${scheme})`);
    await popup.locator('#name').press('Enter');
    await popup.locator('#name-hint').waitFor();
    expectLegible(`popup, ${scheme} scheme`, await pageTexts(popup, 'main'));
    expect(await surfaceLuminance(popup.locator('body'))).satisfies(followsScheme(scheme));
    if (scheme === 'dark') await popup.screenshot({ path: `${SCREENSHOTS}/dark-popup.png` });
    await popup.close();
  });
});

describe('a page with a dark mode of its own', () => {
  it('re-tints note highlights when the scheme changes under it, without a reload', async () => {
    // A yellow note: on a dark page its underline stays yellow, on a light one it must darken.
    await addNote(alicePage, 'body', 'Cuartielles', 'Also a founder.', '#ffd400');
    await cardWith(alicePage, 'Also a founder.').waitFor();
    await showPage('page following the scheme', 'dark');
    await cardWith(bobPage, 'Also a founder.').waitFor();
    const yellow = 'collab-note-ffd400';
    await expect
      .poll(async () => (await highlightContrast(bobPage, yellow)).underline)
      .toBeGreaterThan(AA_GRAPHIC);
    await bobPage.emulateMedia({ colorScheme: 'light' });
    expect(await surfaceLuminance(bobPage.locator('body'))).toBeGreaterThan(0.8);
    await expect
      .poll(async () => (await highlightContrast(bobPage, yellow)).underline)
      .toBeGreaterThanOrEqual(AA_GRAPHIC);
    expect((await highlightContrast(bobPage, yellow)).text).toBeGreaterThanOrEqual(AA_TEXT);
    // The yellow bubble itself (1.4:1 against white) stands out by its rings.
    const bubble = cardWith(bobPage, 'Also a founder.');
    await expect.poll(() => bubble.getAttribute('class')).toContain('bubble');
    expect(await edgeContrast(bubble)).toBeGreaterThanOrEqual(AA_GRAPHIC);
  });
});
