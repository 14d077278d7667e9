/**
 * Retirement as one sync answers it: the last Backup stays whatever retention says, be it the one the status
 * records, the newest observed, or the one this answer creates.
 */

import assert from 'node:assert/strict';

import { backupName } from '../../src/core/names.js';
import { decide } from '../../src/core/sync.js';
import type { Decision } from '../../src/core/sync.js';
import type { JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, backup, compactBackup, logBackup, request, schedule, tsoAt, withCompacts } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
const logTruncateUntil = (d: Decision): unknown => (d.response.children.find((c) => c.metadata.name === 'log-nightly')?.spec as JsonObject | undefined)?.['logTruncateUntil'];
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

describe('retirement: compaction caps the log truncation at its progress', () => {
  // Hourly snapshots at 00:00, 01:00, 02:00 (commits 10 s after), maxBackups 2: 00:00 goes and the log, from 00:00,
  // could be truncated up to 01:00:10, the oldest commit kept; with a compact template, no further than compaction got.
  const slots = ['00:00', '01:00', '02:00'].map(at);
  const compactedTo0045 = compactBackup({ logStart: at('00:00'), start: at('00:00'), end: at('00:45'), compactedUntil: at('00:45'), created: at('00:50') });
  const cases: ReadonlyArray<{ name: string; progress?: string; compacts?: ReturnType<typeof compactBackup>[]; truncateUntil: string | undefined }> = [
    { name: 'no progress but the log start yet: no truncation', truncateUntil: undefined },
    { name: 'up to the progress the status records, short of the oldest commit kept', progress: at('00:30'), truncateUntil: tsoAt(at('00:30')) },
    { name: 'up to the progress this sync reads from a CompactBackup, past the one the status records', progress: at('00:30'), compacts: [compactedTo0045], truncateUntil: tsoAt(at('00:45')) },
    { name: 'up to the oldest commit kept when compaction got further', progress: at('02:00'), truncateUntil: tsoAt('2024-05-01T01:00:10Z') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule({
        spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE, maxBackups: 2, logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '2h' },
        status: { lastBackup: name('02:00'), lastBackupTime: at('02:00'), logBackup: 'log-nightly', logBackupStartTs: at('00:00'), ...(c.progress === undefined ? {} : { lastCompactProgress: c.progress }) },
      });
      const children = [...slots.map((slot) => backup({ slot })), logBackup({ start: at('00:00'), checkpoint: at('02:30') })];
      const d = decide(withCompacts(request(parent, children), c.compacts ?? []), { now: Date.parse(at('02:40')) });
      assert.deepEqual(d.report.deletions.map((x) => x.name), [name('00:00')]);
      assert.equal(logTruncateUntil(d), c.truncateUntil);
    });
  }
});

describe('retirement: spec.retention (GFS) decides what goes, Backups and CompactBackups alike', () => {
  it('keeps the newest two, retires the CompactBackups that ended before the oldest kept commit, and truncates up to it', () => {
    const slots = ['00:00', '01:00', '02:00', '03:00'].map(at);
    const parent = schedule({
      spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE, retention: { keepLast: 2 }, logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '1h' },
      status: {
        lastBackup: name('03:00'),
        lastBackupTime: at('03:00'),
        logBackup: 'log-nightly',
        logBackupStartTs: at('00:00'),
        lastCompact: 'compact-nightly-2024-05-01t02-00-00',
        lastCompactProgress: at('03:00'),
      },
    });
    const compacts = [['00:00', '01:00'], ['01:00', '02:00'], ['02:00', '03:00']].map(([start, end]) =>
      compactBackup({ logStart: at('00:00'), start: at(start!), end: at(end!), compactedUntil: at(end!), created: at(end!) }),
    );
    const children = [...slots.map((slot) => backup({ slot })), logBackup({ start: at('00:00'), checkpoint: at('03:30') })];
    const d = decide(withCompacts(request(parent, children), compacts), { now: Date.parse(at('03:40')) });
    assert.deepEqual(d.report.deletions.map((x) => [x.name, x.rule]).sort(), [
      ['compact-nightly-2024-05-01t00-00-00', 'retention'],
      ['compact-nightly-2024-05-01t01-00-00', 'retention'],
      [name('00:00'), 'retention'],
      [name('01:00'), 'retention'],
    ]);
    assert.equal(logTruncateUntil(d), tsoAt('2024-05-01T02:00:10Z'));
  });
});
