/**
 * Retirement as one sync answers it: the last Backup stays whatever retention says, be it the one the status
 * records, the newest observed, or the one this answer creates.
 */

import assert from 'node:assert/strict';

import { backupName } from '../../src/core/names.js';
import { decide } from '../../src/core/sync.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
const name = (hhmm: string): string => backupName('nightly', Date.parse(at(hhmm)));

describe('retirement: the Backup the status records as last stays, however old', () => {
  // Every ten minutes, kept an hour; at 03:05 the 00:00 Backup expired long ago, the 02:50 one has not.
  const cases: ReadonlyArray<{ name: string; recorded: string; deleted: string[] }> = [
    { name: 'recorded last is the expired 00:00 Backup (a newer one observed): it stays', recorded: '00:00', deleted: [] },
    { name: 'recorded last is the newest: the expired 00:00 Backup goes', recorded: '02:50', deleted: [name('00:00')] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule({
        spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, maxReservedTime: '1h' },
        status: { lastBackup: name(c.recorded), lastBackupTime: at(c.recorded) },
      });
      const { report } = decide(request(parent, [backup({ slot: at('00:00') }), backup({ slot: at('02:50') })]), { now: Date.parse(at('03:05')) });
      assert.deepEqual(report.deletions.map((d) => d.name).sort(), c.deleted);
    });
  }
});
