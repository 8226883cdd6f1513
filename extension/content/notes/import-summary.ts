/** The toast after an import: how many notes came in, were already here, or were skipped and why. */
import { formatNumber, plural, t } from '../../shared/i18n.js';
import type { WorkerToContent } from '../../shared/messages.js';

type Imported = Extract<WorkerToContent, { type: 'notes:imported' }>;

/** "Imported 3 notes, 1 already here, 1 skipped (item 4: it annotates another page)." */
export function importSummary(imported: Imported): string {
  // The parts are listed with ", " and closed with "." in both our languages.
  const parts = [plural(imported.created, { one: 'importCreatedOne', other: 'importCreatedOther' })];
  if (imported.unchanged) parts.push(t('importUnchanged', formatNumber(imported.unchanged)));
  if (imported.skipped) parts.push(t('importSkipped', formatNumber(imported.skipped)));
  const first = imported.firstSkipped;
  const why = first ? ` ${t('importFirstSkipped', formatNumber(first.index + 1), first.message)}` : '';
  return `${parts.join(', ')}${why}.`;
}
