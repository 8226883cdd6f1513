/**
 * Server refusals and import skips in the user's language. The server writes its messages
 * in English, for people, and they say more than the code ("in 50 rooms already; leave one
 * first"), so an English UI shows them as they are; any other language shows the sentence for
 * the code or reason, which every locale has.
 */
import type { ErrorCode, ImportSkipReason } from '../../protocol/index.js';
import { t, uiLanguage, type MessageKey } from './i18n.js';

const CODE_TEXT: Record<ErrorCode, MessageKey> = {
  invalid: 'serverErrorInvalid',
  forbidden: 'serverErrorForbidden',
  not_found: 'serverErrorNotFound',
  conflict: 'serverErrorConflict',
  rate_limited: 'serverErrorRateLimited',
  too_large: 'serverErrorTooLarge',
  unavailable: 'serverErrorUnavailable',
  internal: 'serverErrorInternal',
};

const SKIP_TEXT: Record<ImportSkipReason, MessageKey> = {
  not_an_annotation: 'skipNotAnAnnotation',
  duplicate_id: 'skipDuplicateId',
  no_text_body: 'skipNoTextBody',
  bad_text: 'skipBadText',
  other_page: 'skipOtherPage',
  no_selector: 'skipNoSelector',
  unsupported_selector: 'skipUnsupportedSelector',
};

const speaksServerLanguage = (): boolean => uiLanguage().split('-')[0] === 'en';

/** Why the server refused, for the user: its own words in English, else its code's sentence. */
export function serverErrorText(error: { code: string; message: string }): string {
  if (speaksServerLanguage() && error.message !== '') return error.message;
  const key = (CODE_TEXT as Partial<Record<string, MessageKey>>)[error.code];
  return key ? t(key) : error.message;
}

/** Why an imported item was skipped, for the user (as {@link serverErrorText}). */
export function skipReasonText(skip: { reason: ImportSkipReason; message: string }): string {
  return speaksServerLanguage() && skip.message !== '' ? skip.message : t(SKIP_TEXT[skip.reason]);
}
