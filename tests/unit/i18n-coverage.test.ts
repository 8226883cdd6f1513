// @vitest-environment happy-dom
/**
 * No user-visible English left in the UI's source. The TypeScript of the popup, the overlay
 * and the notes is parsed (the compiler's own parser, not regular expressions), and every
 * place that puts text in front of the user (a sink: `textContent`, `title`, `placeholder`,
 * `aria-label`, `setText`, `el`, `button`, toasts, the pill, popup errors, the worker's
 * refusals) must get its words from `t()`: a string literal with a letter in it, anywhere
 * in the expression but inside a `t()`/`plural()` call, is English someone forgot.
 * Separators such as `' · '` have no letters and pass. The popup's markup is checked by
 * localizing it into Korean and looking for English that stayed.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { localizePage } from '../../extension/popup/localize-page.js';
import { useMessages } from '../../extension/shared/i18n.js';

// A file path, not `new URL()`: under happy-dom, URL is the DOM's.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const UI_DIRS = ['extension/popup', 'extension/content'];
/** The context menu's item is made here. */
const UI_FILES = ['extension/chrome-api.ts'];

/** Calls whose argument at this index is shown to the user. */
const TEXT_ARGUMENT: Record<string, number> = {
  setText: 1,
  textElement: 2,
  el: 3,
  button: 1,
  toast: 0,
  setIndicator: 0,
  showError: 0,
  say: 0,
  parseWith: 1,
};
/** Element properties and attributes the user reads (or hears). */
const TEXT_PROPERTIES = new Set(['textContent', 'innerText', 'title', 'placeholder', 'ariaLabel', 'alt']);
const TEXT_ATTRIBUTES = new Set([
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'title',
  'placeholder',
  'alt',
]);
/** Option properties that end up as text (inline editors). */
const TEXT_OPTIONS = new Set(['placeholder', 'submitLabel', 'label', 'title']);
/** Calls whose arguments are message keys or already translated. */
const TRANSLATING = new Set(['t', 'plural']);

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const calleeName = (call: ts.CallExpression): string | null => {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return null;
};

/** Literal text in `expression` outside t()/plural() calls that contains a letter. */
function englishIn(expression: ts.Node): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && TRANSLATING.has(calleeName(node) ?? '')) return;
    // A condition's own literals (`state === 'offline' ? …`) are compared, not shown.
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.EqualsEqualsToken &&
      node.operatorToken.kind <= ts.SyntaxKind.ExclamationEqualsEqualsToken
    )
      return;
    if (ts.isElementAccessExpression(node)) return visit(node.expression);
    const text =
      ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
        ? node.text
        : ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)
          ? node.text
          : null;
    if (text !== null && /\p{L}/u.test(text)) found.push(text);
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/** Every user-visible expression of a source file that carries literal English: `file:line: text`. */
function untranslated(path: string, source = readFileSync(join(ROOT, path), 'utf8')): string[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  const report = (node: ts.Node, expression: ts.Node | undefined) => {
    if (!expression) return;
    for (const text of englishIn(expression)) {
      const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      problems.push(`${path}:${line}: ${JSON.stringify(text)}`);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      if (name === 'setAttribute') {
        const [attribute, value] = node.arguments;
        if (attribute && ts.isStringLiteral(attribute) && TEXT_ATTRIBUTES.has(attribute.text))
          report(node, value);
      } else if (name !== null && name in TEXT_ARGUMENT) {
        report(node, node.arguments[TEXT_ARGUMENT[name]!]);
      }
    }
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      TEXT_PROPERTIES.has(node.left.name.text) &&
      // A <style> element's text is CSS, not words.
      !/style|css/i.test(node.left.expression.getText())
    ) {
      report(node, node.right);
    }
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && TEXT_OPTIONS.has(node.name.text)) {
      report(node, node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return problems;
}

/** The worker's words that reach the user: refusals (`fail(code, text)`) and `note:error` toasts. */
function untranslatedInWorker(path: string): string[] {
  const source = readFileSync(join(ROOT, path), 'utf8');
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  const visit = (node: ts.Node): void => {
    let shown: ts.Node | undefined;
    if (ts.isCallExpression(node) && calleeName(node) === 'fail') shown = node.arguments[1];
    if (ts.isObjectLiteralExpression(node)) {
      const prop = (name: string) =>
        node.properties.find(
          (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name,
        );
      const type = prop('type')?.initializer;
      if (type && ts.isStringLiteral(type) && type.text === 'note:error')
        shown = prop('message')?.initializer;
    }
    if (shown) {
      const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      problems.push(...englishIn(shown).map((text) => `${path}:${line}: ${JSON.stringify(text)}`));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return problems;
}

type Messages = Record<string, { message: string }>;
const korean = JSON.parse(readFileSync(join(ROOT, '_locales/ko/messages.json'), 'utf8')) as Messages;

describe('no user-visible English outside the messages', () => {
  afterEach(() => useMessages(() => '', 'en'));

  it('finds literal text in every kind of sink (the scan itself can fail)', () => {
    const planted = `
      setText(label, 'Add note');
      el(doc, 'div', 'status', \`Sending \${n}…\`);
      button(doc, 'Keep', 'data-x', done);
      node.textContent = ok ? 'Saved' : t('popupSaved');
      input.placeholder = 'Write…';
      box.setAttribute('aria-label', 'Open');
      overlay.toast(\`Imported \${n} notes\`);
      inlineEditor(doc, overlay, { submitLabel: 'Send' });
      setText(label, t('composerAddNote') + ' · ' + count);
      box.setAttribute('data-note-id', 'abc');
    `;
    expect(untranslated('planted.ts', planted).map((p) => p.replace(/^.*: /, ''))).toEqual([
      '"Add note"',
      '"Sending "',
      '"Keep"',
      '"Saved"',
      '"Write…"',
      '"Open"',
      '"Imported "',
      '" notes"',
      '"Send"',
    ]);
  });

  it('has none in the popup, the overlay, the notes and the context menu', () => {
    const files = [...UI_DIRS.flatMap(filesUnder), ...UI_FILES];
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap((file) => untranslated(file))).toEqual([]);
  });

  it('has none in what the worker tells the popup and the page', () => {
    expect(filesUnder('extension/background').flatMap(untranslatedInWorker)).toEqual([]);
  });

  it('leaves no English in the popup markup once localized, and sets its lang', () => {
    const html = readFileSync(join(ROOT, 'extension/popup/index.html'), 'utf8');
    // The markup without its script and stylesheet, which this test does not load.
    document.documentElement.innerHTML = html
      .replace(/^<!doctype html>\s*<html[^>]*>/i, '')
      .replace(/<\/html>\s*$/, '')
      .replace(/<(script|link)\b[^>]*>(<\/script>)?/g, '');
    useMessages((key) => korean[key]?.message ?? '', 'ko');
    localizePage(document);
    expect(document.documentElement.lang).toBe('ko');
    expect(document.documentElement.dir).toBe('ltr');
    // Words that are the same in every language: the product's name.
    const english = (text: string | null) => /[A-Za-z]{2,}/.test((text ?? '').replace(/Copresence/g, ''));
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const left: string[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement?.closest('script, style')) continue;
      if (english(node.textContent)) left.push(node.textContent!.trim());
    }
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of ['placeholder', 'aria-label', 'title', 'alt']) {
        if (english(element.getAttribute(attribute)))
          left.push(`${attribute}=${element.getAttribute(attribute)}`);
      }
    }
    expect(english(document.title)).toBe(false);
    expect(left).toEqual([]);
  });
});
