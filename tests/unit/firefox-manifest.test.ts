import { describe, expect, it } from 'vitest';
import manifest from '../../manifest.json' with { type: 'json' };
import {
  DATA_COLLECTION,
  FIREFOX_EXTENSION_PAGES_CSP,
  GECKO_ID,
  toFirefoxManifest,
} from '../../scripts/firefox-manifest.js';

describe('the Firefox manifest', () => {
  it('runs the service worker module as a background script and adds Firefox settings', () => {
    const firefox = toFirefoxManifest(manifest) as Record<string, unknown>;
    expect(firefox.background).toEqual({ scripts: [manifest.background.service_worker], type: 'module' });
    expect(firefox.browser_specific_settings).toMatchObject({
      gecko: {
        id: GECKO_ID,
        strict_min_version: '140.0',
        data_collection_permissions: { required: [...DATA_COLLECTION] },
      },
    });
    // Plain ws:// to the user's server must not be upgraded to wss://.
    expect(firefox.content_security_policy).toEqual({ extension_pages: FIREFOX_EXTENSION_PAGES_CSP });
    expect(FIREFOX_EXTENSION_PAGES_CSP).not.toContain('upgrade-insecure-requests');
  });

  it('passes every other key through, whatever permissions and scripts the manifest holds', () => {
    // The least-privilege shape: optional hosts granted per site, scripts registered at run time.
    const leastPrivilege = {
      ...manifest,
      permissions: ['storage', 'tabs', 'contextMenus', 'scripting'],
      optional_host_permissions: ['http://*/*', 'https://*/*'],
      host_permissions: undefined,
      content_scripts: undefined,
      content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'" },
    };
    const firefox = { ...toFirefoxManifest(leastPrivilege) };
    delete firefox.background;
    delete firefox.browser_specific_settings;
    const expected: Partial<typeof leastPrivilege> = { ...leastPrivilege };
    delete expected.background;
    expect(firefox).toEqual(expected);
  });
});
