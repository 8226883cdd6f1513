/**
 * The Firefox manifest, derived at build time from the one manifest.json (Chrome's), so
 * the two builds never drift: only what Firefox needs differently is changed, and every
 * other key (permissions, content scripts, commands, locales) passes through untouched.
 */

/** Our add-on's id in Firefox (`browser_specific_settings.gecko.id`); tests pin its UUID by it. */
export const GECKO_ID = 'copresence@copresence.invalid';

/**
 * Firefox 140 (the ESR) is the first to show `data_collection_permissions` in its install
 * prompt; older versions would install without asking for that consent.
 */
export const FIREFOX_MIN_VERSION = '140.0';

/** Firefox for Android reads `data_collection_permissions` from 142 on. */
export const FIREFOX_ANDROID_MIN_VERSION = '142.0';

/**
 * What the extension sends to the server the user configured, in Mozilla's categories
 * (extensionworkshop.com, "Firefox built-in consent for data collection"): the URL of a
 * page shared on (browsingActivity), pointer positions on it (websiteActivity), the
 * quoted words a note is pinned to (websiteContent), notes and replies to other people
 * (personalCommunications), and the display name the user types (personallyIdentifyingInfo).
 * All are required: sharing them is what the extension is for.
 */
export const DATA_COLLECTION = [
  'browsingActivity',
  'websiteActivity',
  'websiteContent',
  'personalCommunications',
  'personallyIdentifyingInfo',
] as const;

/**
 * Firefox's default MV3 policy for extension pages adds `upgrade-insecure-requests`, which
 * turns the background's `ws://` to a plain-HTTP server (the default http://127.0.0.1:8080,
 * or any on the LAN) into `wss://` and fails it; Chrome's default has no such directive.
 * This is Firefox's default minus that directive.
 */
export const FIREFOX_EXTENSION_PAGES_CSP = "script-src 'self'";

interface SourceManifest {
  background?: { service_worker?: string; scripts?: string[]; type?: string };
  content_security_policy?: { extension_pages?: string; sandbox?: string };
  [key: string]: unknown;
}

/**
 * The Firefox manifest: Firefox has no MV3 service worker, so the same module runs as a
 * background script (an event page; crxjs's `browser: 'firefox'` mode reads
 * `background.scripts`); the extension pages' policy keeps plain `ws://`; and Firefox's
 * add-on id, minimum versions and data consent are added. Everything else passes through.
 */
export function toFirefoxManifest(manifest: SourceManifest): SourceManifest {
  const { background, ...rest } = manifest;
  const worker = background?.service_worker;
  return {
    ...rest,
    ...(background && {
      background: worker
        ? { scripts: [worker], ...(background.type && { type: background.type }) }
        : background,
    }),
    content_security_policy: {
      extension_pages: FIREFOX_EXTENSION_PAGES_CSP,
      ...manifest.content_security_policy,
    },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: FIREFOX_MIN_VERSION,
        data_collection_permissions: { required: [...DATA_COLLECTION] },
      },
      gecko_android: { strict_min_version: FIREFOX_ANDROID_MIN_VERSION },
    },
  };
}
