/**
 * Invariant 2: no new snapshot Backup while an earlier one is running (unfinished and not being deleted), in
 * truth — except past one Backup stuck beyond `spec.backupTimeout` (issue 9), never past two.
 */

import { parseGoDuration } from '../../core/duration.js';
import { formatTime } from '../../core/time.js';
import { overlapOf } from '../stuck-rule.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** overlapCheck judges every Backup a sync created by what was running in the store at that moment. */
export function overlapCheck(context: CheckContext): Check {
  const { world } = context;
  return {
    onSync(sync) {
      for (const name of sync.created) {
        const record = world.recorder.existingBackup(name);
        if (record === undefined) continue;
        const timeout = sync.request.parent.spec?.['backupTimeout'];
        const parsed = typeof timeout === 'string' ? parseGoDuration(timeout) : null;
        const timeoutMs = parsed?.ok === true && parsed.ms > 0 ? parsed.ms : null;
        const overlap = overlapOf(record.runningAtCreate, { timeoutMs, now: world.nowOf, createdAt: record.createdAt });
        if (overlap.length > 0) {
          context.report(2, `${name} was created at ${formatTime(record.createdAt)} while ${overlap.join(', ')} ${overlap.length === 1 ? 'was' : 'were'} still running${timeoutMs === null ? '' : ` (spec.backupTimeout ${String(timeout)})`}`);
        }
      }
    },
  };
}
