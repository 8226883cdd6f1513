/**
 * Korean and English: Alice's Chromium runs in Korean (`--lang=ko`, LANGUAGE=ko), Bob's in
 * the machine's English, on the same page and server. Each sees the popup, the pill, the
 * composer and note cards in their own language (the notes' words stay as written), Korean
 * text fits the layouts (no button, heading or pill clipped or wrapped), and the screenshots
 * of both are in docs/screenshots (popup-ko/en, note-ko/en).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUser, type BrowserUser } from './support/browser-user.js';
import { startCollabServer, type CollabServer } from './support/collab-server.js';
import { cardWith, joinWithPopup, openComposerOn, openPanel } from './support/notes-ui.js';
import { overlay, type OverlayLocator } from './support/overlay-probe.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let server: CollabServer;
let pages: StaticServer;
let alice: BrowserUser;
let bob: BrowserUser;
let alicePage: Page;
let bobPage: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startCollabServer();
  pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  [alice, bob] = await Promise.all([launchUser('alice-ko', undefined, { lang: 'ko' }), launchUser('bob-en')]);
  alicePage = await alice.context.newPage();
  bobPage = await bob.context.newPage();
  await Promise.all([alicePage.goto(`${pages.url}/article.html`), bobPage.goto(`${pages.url}/article.html`)]);
});

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await pages?.close();
  await server?.dispose();
});

/** The browser's UI language as the extension's worker sees it. */
const uiLanguageOf = async (user: BrowserUser): Promise<string> =>
  (await user.worker()).evaluate(() => chrome.i18n.getUILanguage());

/** Elements of the popup whose text is clipped or runs out of their box: `tag#id.class: text`. */
function clippedInPopup(popup: Page): Promise<string[]> {
  return popup.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, h1, h2, .status, .switch-label, label, .room, li')]
      .filter((element) => element.offsetParent !== null)
      .filter((element) => element.scrollWidth > element.clientWidth + 1)
      .map((element) => `${element.localName}#${element.id}.${element.className}: ${element.textContent}`),
  );
}

/** True when the element's text takes one line (its box is not taller than 1.6 lines). */
async function oneLine(locator: OverlayLocator): Promise<boolean> {
  return locator.evaluate((element) => {
    const style = getComputedStyle(element);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
    const box = element.getBoundingClientRect();
    return box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) < line * 1.6;
  }, null);
}

describe('the UI in Korean and in English', () => {
  it('runs Alice’s browser in Korean and Bob’s in English', async () => {
    expect(await uiLanguageOf(alice)).toMatch(/^ko\b/);
    expect(await uiLanguageOf(bob)).toMatch(/^en\b/);
  });

  it('shows the popup in each one’s language, and Korean fits it', async () => {
    const popup = await alice.openPopup(alicePage);
    await popup.locator('#sharing-label').filter({ hasText: '에서 공유' }).waitFor();
    expect(await popup.evaluate(() => document.documentElement.lang)).toBe('ko');
    expect(await popup.title()).toBe('Copresence');
    // A new user's name is Korean too.
    expect(await popup.locator('#name').inputValue()).toMatch(/^손님 \d{4}$/);
    expect(await popup.locator('#sharing-hint').textContent()).toBe(
      '사이트에서 공유를 켜기 전에는 아무것도 보내지 않습니다.',
    );
    expect(await popup.locator('h2').allTextContents()).toEqual([
      '방',
      '지금 여기 있는 사람',
      '이 페이지의 방',
      '내 정보',
      '서버',
    ]);
    await popup.close();

    await joinWithPopup(alice, alicePage, server.url, '앨리스');
    await joinWithPopup(bob, bobPage, server.url, 'Bob');

    const ko = await alice.openPopup(alicePage);
    await ko
      .locator('#status')
      .filter({ hasText: /^연결됨$/ })
      .waitFor();
    await ko.locator('#peers li').filter({ hasText: 'Bob' }).waitFor();
    expect(await ko.locator('#pause').textContent()).toBe('모두 일시중지');
    expect(await ko.locator('#pause').getAttribute('title')).toBe('모든 사이트에서 공유를 일시중지합니다');
    expect(await ko.locator('#connection').textContent()).toBe('서버에 연결되었습니다.');
    expect(await ko.locator('#peers li .you').textContent()).toBe('(나)');
    expect(await ko.locator('#rooms li .count').first().textContent()).toBe('2명');
    expect(await ko.locator('#room-name').getAttribute('placeholder')).toBe('방 이름');
    expect(await ko.locator('#private-create').textContent()).toBe('새 비공개 방');
    expect(await ko.locator('#room .channel').textContent()).toBe('공개');
    expect(await ko.locator('#color .swatch[data-color="#e5484d"]').getAttribute('aria-label')).toBe('빨강');
    // Lines break between Korean words, not inside them.
    expect(await ko.locator('#sharing-hint').evaluate((hint) => getComputedStyle(hint).wordBreak)).toBe(
      'keep-all',
    );
    expect(await clippedInPopup(ko)).toEqual([]);
    // The header holds the title, the status and the pause button on one line.
    const header = (await ko.locator('header.top').boundingBox())!;
    expect(header.height).toBeLessThan(40);
    await ko.screenshot({ path: `${SCREENSHOTS}/popup-ko.png`, fullPage: true });
    await ko.close();

    const en = await bob.openPopup(bobPage);
    await en
      .locator('#status')
      .filter({ hasText: /^Connected$/ })
      .waitFor();
    await en.locator('#peers li').filter({ hasText: '앨리스' }).waitFor();
    expect(await en.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await en.locator('h2').allTextContents()).toEqual([
      'Room',
      'Here now',
      'Rooms on this page',
      'You',
      'Server',
    ]);
    expect(await en.locator('#pause').textContent()).toBe('Pause all');
    expect(await en.locator('#rooms li .count').first().textContent()).toBe('2 here');
    expect(await clippedInPopup(en)).toEqual([]);
    await en.screenshot({ path: `${SCREENSHOTS}/popup-en.png`, fullPage: true });
    await en.close();
  });

  it('shows the pill and the composer in each one’s language', async () => {
    await alicePage.bringToFront();
    const alicePill = overlay(alicePage).locator('[data-collab-indicator]');
    await alicePill.filter({ hasText: '공유 중 · 공개 방 · 다른 사람 1명' }).waitFor();
    expect(await oneLine(alicePill)).toBe(true);
    // Screen readers voice our words in Korean, on an English page.
    expect(await alicePill.getAttribute('lang')).toBe('ko');
    await overlay(bobPage)
      .locator('[data-collab-indicator]')
      .filter({ hasText: 'Sharing · public room · 1 other here' })
      .waitFor();

    await openComposerOn(alicePage, '#p1', 'ledger');
    const editor = overlay(alicePage).locator('.editor');
    expect(await editor.getAttribute('aria-label')).toBe('메모 추가');
    expect(await editor.locator('[data-collab-note-input]').getAttribute('placeholder')).toBe(
      '메모를 입력하세요…',
    );
    expect(await editor.locator('[data-collab-note-save]').textContent()).toBe('저장');
    expect(await editor.locator('[data-collab-note-cancel]').textContent()).toBe('취소');
    expect(await editor.locator('.hint').textContent()).toBe('Ctrl+Enter로 저장');
    expect(await editor.locator('[data-collab-note-color="#5fd068"]').getAttribute('aria-label')).toBe(
      '초록',
    );
    for (const part of ['[data-collab-note-save]', '[data-collab-note-cancel]', '.hint']) {
      expect(await oneLine(editor.locator(part)), part).toBe(true);
    }
    await overlay(alicePage).locator('[data-collab-note-input]').fill('이 장부는 누가 썼을까요?');
    await alicePage.screenshot({ path: `${SCREENSHOTS}/note-editor-ko.png` });
    await overlay(alicePage).locator('[data-collab-note-save]').click();
  });

  it('shows note cards in each one’s language, the notes’ words as written', async () => {
    const bobCard = cardWith(bobPage, '이 장부는 누가 썼을까요?');
    await bobCard.waitFor();
    await bobPage.bringToFront();
    await bobCard.click();
    await expect.poll(() => bobCard.getAttribute('class')).toContain('open');
    await bobCard.locator('[data-collab-note-reply]').click();
    await bobCard.locator('[data-collab-inline-input]').fill('His father, I think.');
    await bobCard.locator('[data-collab-inline-save]').click();
    await bobCard.locator('.reply[data-reply-id]').waitFor();

    await alicePage.bringToFront();
    const card = cardWith(alicePage, '이 장부는 누가 썼을까요?');
    await card.locator('.reply[data-reply-id]').filter({ hasText: 'His father, I think.' }).waitFor();
    await card.click();
    await expect.poll(() => card.getAttribute('class')).toContain('open');
    expect(await card.locator('[data-collab-bubble]').getAttribute('aria-label')).toBe(
      '앨리스 님의 메모 · 답글 1개',
    );
    expect(await card.locator('time').first().textContent()).toBe('방금');
    expect(await card.locator('[data-collab-note-edit]').textContent()).toBe('수정');
    expect(await card.locator('[data-collab-note-delete]').textContent()).toBe('삭제');
    expect(await card.locator('[data-collab-note-reply]').textContent()).toBe('답글');
    await card.locator('[data-collab-note-delete]').click();
    const confirm = card.locator('[data-collab-note-delete-confirm]');
    expect(await confirm.textContent()).toBe('모두에게서 삭제');
    expect(await card.locator('[data-collab-note-delete-cancel]').textContent()).toBe('그대로 두기');
    for (const part of [
      '[data-collab-note-edit]',
      '[data-collab-note-delete-confirm]',
      '[data-collab-note-delete-cancel]',
    ]) {
      expect(await oneLine(card.locator(part)), part).toBe(true);
    }
    expect(await overlay(alicePage).locator('[data-collab-notes-toggle]').textContent()).toBe('메모 (1)');
    await alicePage.screenshot({ path: `${SCREENSHOTS}/note-ko.png` });
    await card.locator('[data-collab-note-delete-cancel]').click();

    await bobPage.bringToFront();
    expect(await bobCard.locator('[data-collab-bubble]').getAttribute('aria-label')).toBe(
      'Note by 앨리스 · 1 reply',
    );
    expect(await bobCard.locator('time').first().textContent()).toBe('just now');
    expect(await bobCard.locator('[data-collab-note-reply]').textContent()).toBe('Reply');
    expect(await bobCard.locator('.reply [data-collab-note-edit]').textContent()).toBe('Edit');
    expect(await overlay(bobPage).locator('[data-collab-notes-toggle]').textContent()).toBe('Notes (1)');
    await bobPage.screenshot({ path: `${SCREENSHOTS}/note-en.png` });
  });

  it('says in each one’s language what an import brought and why an item was skipped', async () => {
    const note = (id: string, page: string, text: string) => ({
      id,
      type: 'Annotation',
      body: { type: 'TextualBody', value: text },
      target: { source: `${pages.url}/${page}`, selector: { type: 'TextQuoteSelector', exact: 'headland' } },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'i18n-import-')), 'notes.jsonld');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'AnnotationCollection',
        items: [note('urn:x:1', 'article.html', '곶의 이름은?'), note('urn:x:2', 'late.html', 'Elsewhere')],
      }),
    );

    await alicePage.bringToFront();
    await openPanel(alicePage);
    const panel = overlay(alicePage).locator('.panel');
    expect(await panel.locator('[data-collab-jump] .count').first().textContent()).toBe('답글 1개');
    const exportButton = panel.locator('[data-collab-export]');
    expect(await exportButton.textContent()).toBe('내보내기 (W3C JSON-LD)');
    expect(await panel.locator('[data-collab-import]').textContent()).toBe('가져오기…');
    expect(await oneLine(exportButton)).toBe(true);
    await panel.locator('[data-collab-import-file]').setInputFiles(file);
    await overlay(alicePage)
      .locator('.toast')
      .filter({ hasText: '메모 1개를 가져옴, 1개 건너뜀 (2번 항목: 다른 페이지에 단 주석입니다).' })
      .waitFor();
    await cardWith(alicePage, '곶의 이름은?').waitFor();
    await alicePage.screenshot({ path: `${SCREENSHOTS}/notes-panel-ko.png` });

    // Bob's English says the same (his own copy: an import is per importer), with the server's
    // own words for the skipped item.
    await bobPage.bringToFront();
    await openPanel(bobPage);
    await overlay(bobPage).locator('[data-collab-import-file]').setInputFiles(file);
    await overlay(bobPage)
      .locator('.toast')
      .filter({
        hasText:
          /^Imported 1 note, 1 skipped \(item 2: it annotates http\S*\/late\.html, not http\S*\/article\.html\)\.$/,
      })
      .waitFor();
  });

  it('says in Korean that the server cannot be reached and what to do, and it fits', async () => {
    await server.stop();
    await alicePage.bringToFront();
    await overlay(alicePage)
      .locator('[data-collab-indicator]')
      .filter({ hasText: '오프라인 · 다시 연결 중… · 추가한 메모는 보관됩니다' })
      .waitFor({ timeout: 15_000 });
    const popup = await alice.openPopup(alicePage);
    await popup
      .locator('#status')
      .filter({ hasText: /^오프라인$/ })
      .waitFor();
    const host = new URL(server.url).host;
    await popup
      .locator('#connection')
      .filter({ hasText: `${host} 서버에 연결할 수 없습니다.` })
      .waitFor();
    expect(await popup.locator('#connection').textContent()).toContain('HOST=0.0.0.0');
    expect(await clippedInPopup(popup)).toEqual([]);
    await popup.screenshot({ path: `${SCREENSHOTS}/popup-offline-ko.png`, fullPage: true });
    await popup.close();
  });
});

declare const chrome: { i18n: { getUILanguage(): string } };
