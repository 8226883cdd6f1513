/**
 * Host permission patterns, as the popup asks for them and the worker registers content
 * scripts for them. A site's pattern is its scheme and host: Firefox's match patterns
 * take no port, so one pattern serves both browsers and covers every port of the host.
 */

/** What "all sites" asks for: every http and https page, nothing else. */
export const ALL_SITES: readonly string[] = ['http://*/*', 'https://*/*'];

/** The pattern that grants an origin (`https://example.com:8443` → `https://example.com/*`). */
export function sitePattern(origin: string): string {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

const PATTERN = /^(\*|https?):\/\/(\*|\*\.[^/*]+|[^/*]+)\/.*$/;

/** True when `pattern` matches the page at `url` (path ignored: host permissions cover whole hosts). */
export function patternCovers(pattern: string, url: string): boolean {
  let page: URL;
  try {
    page = new URL(url);
  } catch {
    return false;
  }
  if (page.protocol !== 'http:' && page.protocol !== 'https:') return false;
  if (pattern === '<all_urls>') return true;
  const match = PATTERN.exec(pattern);
  if (!match) return false;
  const [, scheme = '', host = ''] = match;
  if (scheme !== '*' && `${scheme}:` !== page.protocol) return false;
  if (host === '*') return true;
  if (host.startsWith('*.')) {
    const domain = host.slice(2);
    return page.hostname === domain || page.hostname.endsWith(`.${domain}`);
  }
  return page.hostname === host;
}

/** True when one of the patterns matches the page at `url` (an origin works as a URL too). */
export function covers(patterns: readonly string[], url: string): boolean {
  return patterns.some((pattern) => patternCovers(pattern, url));
}

/** True when the patterns hold every http and https page (any host, not one that happens to match). */
export function coversAllSites(patterns: readonly string[]): boolean {
  const anyHost = (scheme: string) =>
    patterns.some((pattern) => {
      if (pattern === '<all_urls>') return true;
      const match = PATTERN.exec(pattern);
      return match !== null && match[2] === '*' && (match[1] === '*' || match[1] === scheme);
    });
  return anyHost('http') && anyHost('https');
}
