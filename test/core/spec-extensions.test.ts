import assert from 'node:assert/strict';

import { scheduleHash } from '../../src/core/schedule-edit.js';
import { readSpec } from '../../src/core/spec.js';
import type { JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, schedule } from '../support/objects.js';

const valid: JsonObject = { schedule: '0 2 * * *', backupTemplate: BR_TEMPLATE };

describe('readSpec: extension fields', () => {
  it('reads a spec without them as upstream: UTC, no deadline, no timeout, no GFS, no backup-now', () => {
    const read = readSpec(schedule({ spec: valid }));
    assert.ok(read.ok);
    const { timeZone, skipMissedOnUnpause, startingDeadlineMs, backupTimeout, retention, backupNowToken } = read.spec;
    assert.deepEqual(
      { timeZone, skipMissedOnUnpause, startingDeadlineMs, backupTimeout, retention, backupNowToken },
      { timeZone: 'UTC', skipMissedOnUnpause: false, startingDeadlineMs: null, backupTimeout: null, retention: null, backupNowToken: null },
    );
  });

  it('reads every extension field', () => {
    const read = readSpec(
      schedule({
        annotations: { 'backup-schedule-hook/backup-now': '20240501a' },
        spec: {
          ...valid,
          timeZone: 'Europe/Berlin',
          skipMissedOnUnpause: true,
          startingDeadlineSeconds: 600,
          backupTimeout: '6h',
          retention: { keepDaily: 7, keepWeekly: -1, keepWithin: '48h', minCompleted: 2 },
        },
      }),
    );
    assert.ok(read.ok);
    assert.equal(read.spec.schedule.timeZone, 'Europe/Berlin');
    assert.equal(read.spec.timeZone, 'Europe/Berlin');
    assert.equal(read.spec.skipMissedOnUnpause, true);
    assert.equal(read.spec.startingDeadlineMs, 600_000);
    assert.deepEqual(read.spec.backupTimeout, { ms: 6 * 3_600_000, text: '6h' });
    assert.deepEqual(read.spec.retention, {
      counts: { keepLast: 0, keepHourly: 0, keepDaily: 7, keepWeekly: -1, keepMonthly: 0, keepYearly: 0 },
      keepWithin: { ms: 48 * 3_600_000, text: '48h' },
      minCompleted: 2,
      failedBackupsHistoryLimit: 5,
    });
    assert.equal(read.spec.backupNowToken, '20240501a');
  });

  it('counts an explicit timeZone UTC as the same schedule as none (same hash input)', () => {
    const read = readSpec(schedule({ spec: { ...valid, timeZone: 'UTC' } }));
    const none = readSpec(schedule({ spec: valid }));
    assert.ok(read.ok && none.ok);
    assert.equal(read.spec.schedule.timeZone, 'UTC');
    assert.equal(scheduleHash(read.spec.schedule), scheduleHash(none.spec.schedule));
  });

  const invalid: ReadonlyArray<{ name: string; spec?: JsonObject; annotations?: Record<string, string>; message: RegExp }> = [
    { name: 'an unknown time zone', spec: { timeZone: 'Mars/Olympus' }, message: /^spec.timeZone "Mars\/Olympus" is not a known IANA time zone; use .*"Europe\/Berlin"/ },
    { name: 'an offset instead of a zone', spec: { timeZone: '+02:00' }, message: /^spec.timeZone "\+02:00" is not a known IANA time zone/ },
    { name: 'an empty time zone', spec: { timeZone: '' }, message: /^spec.timeZone "" is not a time zone name; .* or remove it for UTC/ },
    { name: 'a time zone that is not a string', spec: { timeZone: 2 }, message: /^spec.timeZone 2 is not a time zone name/ },
    { name: 'skipMissedOnUnpause that is not a boolean', spec: { skipMissedOnUnpause: 'yes' }, message: /^spec.skipMissedOnUnpause must be true or false/ },
    { name: 'a negative startingDeadlineSeconds', spec: { startingDeadlineSeconds: -1 }, message: /^spec.startingDeadlineSeconds -1 must be a whole number of seconds >= 0/ },
    { name: 'a fractional startingDeadlineSeconds', spec: { startingDeadlineSeconds: 1.5 }, message: /^spec.startingDeadlineSeconds 1.5 must be a whole number/ },
    { name: 'a backupTimeout Go cannot read', spec: { backupTimeout: '1d' }, message: /^spec.backupTimeout: "1d" is not a duration/ },
    { name: 'a zero backupTimeout', spec: { backupTimeout: '0s' }, message: /^spec.backupTimeout "0s" must be positive, such as "6h"; remove it to wait for every running Backup/ },
    { name: 'retention that is not an object', spec: { retention: [1] }, message: /^spec.retention must be an object such as \{keepDaily: 7, keepWeekly: 4\}/ },
    { name: 'an empty retention', spec: { retention: {} }, message: /^spec.retention has no keep rule.*restic refuses an empty policy too/ },
    { name: 'retention with only zero counts', spec: { retention: { keepLast: 0, minCompleted: 3 } }, message: /^spec.retention has no keep rule/ },
    { name: 'retention with maxReservedTime', spec: { maxReservedTime: '72h', retention: { keepDaily: 7 } }, message: /^spec.retention cannot be combined with spec.maxReservedTime; use one or the other/ },
    { name: 'retention with maxBackups', spec: { maxBackups: 3, retention: { keepDaily: 7 } }, message: /^spec.retention cannot be combined with spec.maxBackups;/ },
    { name: 'a misspelt retention field', spec: { retention: { keepDayly: 7, keepWeekly: 1 } }, message: /^spec.retention.keepDayly is not a retention field; did you mean keepDaily$/ },
    { name: 'an unknown retention field', spec: { retention: { tags: ['x'], keepWeekly: 1 } }, message: /^spec.retention.tags is not a retention field; use one of keepLast/ },
    { name: 'a keep count below -1', spec: { retention: { keepDaily: -2 } }, message: /^spec.retention.keepDaily -2 must be a whole number: N > 0 keeps N, -1 keeps all, 0 does not use the rule/ },
    { name: 'a keep count that is a string', spec: { retention: { keepDaily: '7' } }, message: /^spec.retention.keepDaily "7" must be a whole number/ },
    { name: 'a keepWithin Go cannot read', spec: { retention: { keepWithin: '7d' } }, message: /^spec.retention.keepWithin: "7d" is not a duration/ },
    { name: 'a negative minCompleted', spec: { retention: { keepDaily: 7, minCompleted: -1 } }, message: /^spec.retention.minCompleted -1 must be a whole number >= 0 \(default 1\)/ },
    { name: 'a negative failedBackupsHistoryLimit', spec: { retention: { keepDaily: 7, failedBackupsHistoryLimit: -1 } }, message: /^spec.retention.failedBackupsHistoryLimit -1 must be a whole number >= 0 \(default 5\)/ },
    { name: 'a backup-now token with capitals', annotations: { 'backup-schedule-hook/backup-now': 'Now' }, message: /^metadata.annotations\["backup-schedule-hook\/backup-now"\] "Now" must be 1 to 12 characters of a-z and 0-9/ },
    { name: 'a backup-now token of 13 characters', annotations: { 'backup-schedule-hook/backup-now': 'a'.repeat(13) }, message: /must be 1 to 12 characters/ },
    { name: 'an empty backup-now token', annotations: { 'backup-schedule-hook/backup-now': '' }, message: /must be 1 to 12 characters/ },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name} with a message that names the field and the fix`, () => {
      const read = readSpec(schedule({ spec: { ...valid, ...(c.spec ?? {}) }, ...(c.annotations ? { annotations: c.annotations } : {}) }));
      assert.equal(read.ok, false);
      if (!read.ok) assert.ok(read.problems.some((p) => c.message.test(p)), read.problems.join(' | '));
    });
  }

  it('names both upstream fields retention cannot be combined with, and what replaces each', () => {
    const read = readSpec(schedule({ spec: { ...valid, maxReservedTime: '72h', maxBackups: 3, retention: { keepDaily: 7 } } }));
    assert.deepEqual(read, {
      ok: false,
      problems: [
        'spec.retention cannot be combined with spec.maxReservedTime or spec.maxBackups; use one or the other ' +
          '(retention.keepWithin replaces maxReservedTime, retention.keepLast replaces maxBackups)',
      ],
    });
  });

  it('a maxBackups that is not a number is its own problem, not also one combined with retention', () => {
    const read = readSpec(schedule({ spec: { ...valid, maxBackups: '3', retention: { keepDaily: 7 } } }));
    assert.deepEqual(read, { ok: false, problems: ['spec.maxBackups "3" must be a whole number >= 0 (0 keeps every Backup)'] });
  });

  it('reports a bad schedule and a bad zone at once', () => {
    const read = readSpec(schedule({ spec: { ...valid, schedule: '61 * * * *', timeZone: 'Nowhere/Land' } }));
    assert.equal(read.ok, false);
    if (!read.ok) assert.deepEqual(read.problems.map((p) => p.split(/[: ]/)[0]), ['spec.schedule', 'spec.timeZone']);
  });
});

describe('readSpec: spec.retention, field by field', () => {
  const read = (retention: unknown): ReturnType<typeof readSpec> => readSpec(schedule({ spec: { ...valid, retention } as JsonObject }));
  const rejected: ReadonlyArray<{ name: string; retention: unknown; problems: RegExp[] }> = [
    { name: 'a number', retention: 7, problems: [/^spec.retention must be an object such as/] },
    { name: 'a field in other capitals', retention: { KEEPDAILY: 7, keepWeekly: 1 }, problems: [/^spec.retention.KEEPDAILY is not a retention field; did you mean keepDaily$/] },
    { name: 'a field two edits off', retention: { keepDly: 7, keepWeekly: 1 }, problems: [/^spec.retention.keepDly is not a retention field; did you mean keepDaily$/] },
    { name: 'a field three edits off', retention: { keepDXYl: 7, keepWeekly: 1 }, problems: [/^spec.retention.keepDXYl is not a retention field; use one of keepLast/] },
    { name: 'a field missing its keep prefix', retention: { Daily: 7, keepWeekly: 1 }, problems: [/^spec.retention.Daily is not a retention field; use one of keepLast/] },
    { name: 'a field with a prefix of its own', retention: { xxxxkeepDaily: 7, keepWeekly: 1 }, problems: [/^spec.retention.xxxxkeepDaily is not a retention field; use one of keepLast/] },
    { name: 'a bad only keep rule: that problem alone, not also "no keep rule"', retention: { keepDaily: 'x' }, problems: [/^spec.retention.keepDaily "x" must be a whole number/] },
    { name: 'a fractional keep count', retention: { keepDaily: 1.5 }, problems: [/^spec.retention.keepDaily 1.5 must be a whole number/] },
    { name: 'a fractional minCompleted', retention: { keepDaily: 7, minCompleted: 1.5 }, problems: [/^spec.retention.minCompleted 1.5 must be a whole number >= 0/] },
    { name: 'a fractional failedBackupsHistoryLimit', retention: { keepDaily: 7, failedBackupsHistoryLimit: 0.5 }, problems: [/^spec.retention.failedBackupsHistoryLimit 0.5 must be a whole number >= 0/] },
  ];
  for (const c of rejected) {
    it(`rejects ${c.name}, with exactly the problems that name it`, () => {
      const result = read(c.retention);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.problems.length, c.problems.length, result.problems.join(' | '));
        c.problems.forEach((re, i) => assert.match(result.problems[i] ?? '', re));
      }
    });
  }

  it('reads null as no retention, and null fields as unset', () => {
    const none = read(null);
    assert.ok(none.ok);
    assert.equal(none.spec.retention, null);
    const unset = read({ keepDaily: 7, keepWeekly: null, minCompleted: null, failedBackupsHistoryLimit: null });
    assert.ok(unset.ok, unset.ok ? '' : unset.problems.join(' | '));
    assert.deepEqual(unset.spec.retention, {
      counts: { keepLast: 0, keepHourly: 0, keepDaily: 7, keepWeekly: 0, keepMonthly: 0, keepYearly: 0 },
      keepWithin: null,
      minCompleted: 1,
      failedBackupsHistoryLimit: 5,
    });
  });
});

describe('readSpec: extension fields left unset', () => {
  const cases: ReadonlyArray<{ name: string; spec: JsonObject; read: { timeZone: string; startingDeadlineMs: number | null; keepDaily: number | null } }> = [
    { name: 'a null timeZone is UTC', spec: { timeZone: null }, read: { timeZone: 'UTC', startingDeadlineMs: null, keepDaily: null } },
    { name: 'a null startingDeadlineSeconds is no deadline', spec: { startingDeadlineSeconds: null }, read: { timeZone: 'UTC', startingDeadlineMs: null, keepDaily: null } },
    { name: 'startingDeadlineSeconds 0 is a deadline of 0', spec: { startingDeadlineSeconds: 0 }, read: { timeZone: 'UTC', startingDeadlineMs: 0, keepDaily: null } },
    { name: 'retention beside maxBackups 0 (unlimited, as upstream)', spec: { maxBackups: 0, retention: { keepDaily: 7 } }, read: { timeZone: 'UTC', startingDeadlineMs: null, keepDaily: 7 } },
    { name: 'retention beside a null maxReservedTime', spec: { maxReservedTime: null, retention: { keepDaily: 7 } }, read: { timeZone: 'UTC', startingDeadlineMs: null, keepDaily: 7 } },
    { name: 'retention beside an empty maxReservedTime', spec: { maxReservedTime: '', retention: { keepDaily: 7 } }, read: { timeZone: 'UTC', startingDeadlineMs: null, keepDaily: 7 } },
  ];
  for (const c of cases) {
    it(`accepts ${c.name}`, () => {
      const read = readSpec(schedule({ spec: { ...valid, ...c.spec } }));
      assert.ok(read.ok, read.ok ? '' : read.problems.join(' | '));
      const { timeZone, startingDeadlineMs, retention } = read.spec;
      assert.deepEqual({ timeZone, startingDeadlineMs, keepDaily: retention?.counts.keepDaily ?? null }, c.read);
    });
  }
});
