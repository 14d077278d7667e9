/** Invariant 2: no new snapshot Backup while an earlier one is running (unfinished and not being deleted), in truth. */

import { SCHEDULE_LABEL } from '../../core/names.js';
import type { Check } from './slots.js';
import type { CheckContext } from './types.js';

/** overlapCheck looks at the store when a Backup is created: every other Backup must be finished or being deleted. */
export function overlapCheck(context: CheckContext): Check {
  const scheduleName = context.world.scenario.schedule.name;
  return {
    onStoreEvent(event) {
      const { object } = event;
      if (event.type !== 'added' || object.kind !== 'Backup' || object.metadata?.labels?.[SCHEDULE_LABEL] !== scheduleName) return;
      const name = object.metadata.name ?? '';
      const record = context.world.recorder.existingBackup(name);
      // The stuck-backup rule (issue 9, spec.backupTimeout) is not built: no Backup may be passed yet.
      if (record !== undefined && record.runningAtCreate.length > 0) {
        context.report(2, `${name} was created while ${record.runningAtCreate.join(', ')} ${record.runningAtCreate.length === 1 ? 'was' : 'were'} still running`);
      }
    },
  };
}
