import assert from 'node:assert/strict';

import { backupName, slotFromBackupName } from '../../src/core/names.js';

const SLOT = Date.parse('2024-05-01T00:20:00Z');

describe('slotFromBackupName', () => {
  const cases: ReadonlyArray<{ name: string; schedule: string; backup: string; slot: number | null }> = [
    { name: 'reads the slot back from the name the hook gave it', schedule: 'nightly', backup: backupName('nightly', SLOT), slot: SLOT },
    { name: 'a schedule whose name ends in a dash', schedule: 'a-', backup: 'a--2024-05-01t00-20-00', slot: SLOT },
    { name: "another schedule's name of the same length is not read as this schedule's slot", schedule: 'nightly', backup: 'weekend-2024-05-01t00-20-00', slot: null },
    { name: 'a name that only contains the schedule name later is not read', schedule: 'nightly', backup: 'x-nightly-2024-05-01t00-20-00', slot: null },
    { name: 'the schedule name without its dash is not read', schedule: 'nightly', backup: 'nightly2024-05-01t00-20-00', slot: null },
    { name: 'a manual name is not read', schedule: 'nightly', backup: 'nightly-manual-abc', slot: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(slotFromBackupName(c.schedule, c.backup), c.slot);
    });
  }
});
