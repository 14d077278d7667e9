import assert from 'node:assert/strict';

import { readSpec } from '../../src/core/spec.js';
import type { JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, COMPACT_TEMPLATE, LOG_TEMPLATE, schedule } from '../support/objects.js';

const valid: JsonObject = { schedule: '0 2 * * *', backupTemplate: BR_TEMPLATE };

describe('readSpec', () => {
  it('reads a valid spec with upstream defaults', () => {
    const read = readSpec(schedule({ spec: valid }));
    assert.ok(read.ok);
    assert.equal(read.spec.pause, false);
    assert.equal(read.spec.maxBackups, null);
    assert.equal(read.spec.maxReservedTimeMs, null);
    assert.equal(read.spec.imagePullSecrets, null);
  });
  it('reads a log template with backupMode log, or without one', () => {
    for (const template of [{ ...BR_TEMPLATE, backupMode: 'log' }, BR_TEMPLATE]) assert.ok(readSpec(schedule({ spec: { ...valid, logBackupTemplate: template } })).ok);
  });
  it('reads a backupTemplate with any backupMode but log, or without one', () => {
    for (const backupMode of [undefined, 'snapshot', 'volume-snapshot']) assert.ok(readSpec(schedule({ spec: { ...valid, backupTemplate: { ...BR_TEMPLATE, backupMode } } })).ok, String(backupMode));
  });
  it('reads an empty maxReservedTime as unset, so that maxBackups applies (beyond upstream, which retires nothing)', () => {
    const read = readSpec(schedule({ spec: { ...valid, maxReservedTime: '', maxBackups: 3 } }));
    assert.ok(read.ok);
    assert.deepEqual({ maxReservedTimeMs: read.spec.maxReservedTimeMs, maxBackups: read.spec.maxBackups }, { maxReservedTimeMs: null, maxBackups: 3 });
  });
  it('reads maxBackups 0 as unlimited, as upstream', () => {
    const read = readSpec(schedule({ spec: { ...valid, maxBackups: 0 } }));
    assert.ok(read.ok);
    assert.equal(read.spec.maxBackups, null);
  });

  const invalid: ReadonlyArray<{ name: string; spec: JsonObject | undefined; scheduleName?: string; message: RegExp }> = [
    { name: 'no spec', spec: undefined, message: /spec is missing; set spec.schedule and spec.backupTemplate/ },
    { name: 'no schedule', spec: { backupTemplate: BR_TEMPLATE }, message: /spec.schedule is missing; set a 5-field cron/ },
    { name: 'a bad cron', spec: { ...valid, schedule: '61 * * * *' }, message: /^spec.schedule: / },
    { name: 'a bad duration', spec: { ...valid, maxReservedTime: '1x' }, message: /spec.maxReservedTime: "1x" is not a duration/ },
    { name: 'a negative duration', spec: { ...valid, maxReservedTime: '-1h' }, message: /spec.maxReservedTime "-1h" must be positive/ },
    { name: 'a duration that is not a string', spec: { ...valid, maxReservedTime: 3600 }, message: /must be a Go duration string/ },
    { name: 'a fractional maxBackups', spec: { ...valid, maxBackups: 1.5 }, message: /spec.maxBackups 1.5 must be a whole number >= 0/ },
    { name: 'a string maxBackups', spec: { ...valid, maxBackups: '3' }, message: /spec.maxBackups "3" must be a whole number/ },
    { name: 'a negative maxBackups', spec: { ...valid, maxBackups: -1 }, message: /spec.maxBackups -1 must be a whole number >= 0/ },
    { name: 'no backupTemplate', spec: { schedule: '0 2 * * *' }, message: /spec.backupTemplate is missing/ },
    { name: 'a pause that is not a boolean', spec: { ...valid, pause: 'yes' }, message: /spec.pause must be a boolean/ },
    { name: 'imagePullSecrets that are not a list', spec: { ...valid, imagePullSecrets: 'reg' }, message: /spec.imagePullSecrets must be a list/ },
    { name: 'a name over 36 characters', spec: valid, scheduleName: 'x'.repeat(37), message: /at most 36 characters/ },
    { name: 'a null backupTemplate', spec: { ...valid, backupTemplate: null }, message: /spec.backupTemplate is missing or not an object/ },
    { name: 'a backupTemplate that is not an object', spec: { ...valid, backupTemplate: 'br' }, message: /spec.backupTemplate is missing or not an object/ },
    { name: 'a log template that is not an object', spec: { ...valid, logBackupTemplate: 'log' }, message: /^spec.logBackupTemplate must be an object/ },
    { name: 'a compact template without a log template', spec: { ...valid, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '2h' }, message: /^spec.compactBackupTemplate compacts the log backup: set spec.logBackupTemplate too/ },
    { name: 'a compact template without compactInterval', spec: { ...valid, logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE }, message: /^spec.compactBackupTemplate needs spec.compactInterval/ },
    { name: 'a minCompactStartTs that is no time', spec: { ...valid, minCompactStartTs: 'yesterday' }, message: /^spec.minCompactStartTs "yesterday" must be a TSO or a UTC time/ },
    { name: 'a minCompactStartTs that is a number, not a string', spec: { ...valid, minCompactStartTs: 123 }, message: /^spec.minCompactStartTs 123 must be a TSO or a UTC time/ },
    { name: 'a log template of another backupMode', spec: { ...valid, logBackupTemplate: { ...BR_TEMPLATE, backupMode: 'snapshot' } }, message: /spec.logBackupTemplate.backupMode is "snapshot".*set it to "log" or leave it out/ },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name} with a message that names the field and the fix`, () => {
      const parent = schedule({ ...(c.scheduleName ? { name: c.scheduleName } : {}), spec: c.spec ?? {} });
      if (c.spec === undefined) delete parent.spec;
      const read = readSpec(parent);
      assert.equal(read.ok, false);
      if (!read.ok) assert.ok(read.problems.some((p) => c.message.test(p)), read.problems.join(' | '));
    });
  }
  const exact: ReadonlyArray<{ name: string; spec: JsonObject; scheduleName?: string; problem: string }> = [
    {
      name: 'a name over 36 characters',
      spec: valid,
      scheduleName: 'x'.repeat(37),
      problem:
        `metadata.name "${'x'.repeat(37)}" has 37 characters; TiDB Operator names each Backup's Job backup-<name>-<time>, which must fit 63, ` +
        'so use a schedule name of at most 36 characters',
    },
    { name: 'a negative maxReservedTime', spec: { ...valid, maxReservedTime: '-1h' }, problem: 'spec.maxReservedTime "-1h" must be positive, such as "72h"; remove it to turn it off' },
    { name: 'a maxReservedTime that is not a string', spec: { ...valid, maxReservedTime: 3600 }, problem: 'spec.maxReservedTime must be a Go duration string such as "72h"' },
    {
      name: 'a backupTemplate of backupMode log',
      spec: { ...valid, backupTemplate: { ...BR_TEMPLATE, backupMode: 'log' } },
      problem:
        'spec.backupTemplate.backupMode is "log": each scheduled Backup would start a log backup, which runs until it is stopped, ' +
        'so the next tick would wait for it for ever; set spec.logBackupTemplate for the log backup and leave backupMode out of ' +
        'spec.backupTemplate (or set it to "snapshot")',
    },
  ];
  for (const c of exact) {
    it(`says exactly what to fix for ${c.name}`, () => {
      const read = readSpec(schedule({ ...(c.scheduleName ? { name: c.scheduleName } : {}), spec: c.spec }));
      assert.deepEqual(read, { ok: false, problems: [c.problem] });
    });
  }
  it('rejects a null spec as missing, naming the fields to set', () => {
    const parent = schedule();
    (parent as { spec: unknown }).spec = null;
    assert.deepEqual(readSpec(parent), { ok: false, problems: ['spec is missing; set spec.schedule and spec.backupTemplate'] });
  });
  it('reports every problem at once', () => {
    const read = readSpec(schedule({ spec: { schedule: 'nope', maxReservedTime: '1x', maxBackups: -2 } }));
    assert.equal(read.ok, false);
    if (!read.ok) assert.equal(read.problems.length, 4);
  });
});

describe('readSpec: edges that are valid', () => {
  const compacting: JsonObject = { ...valid, logBackupTemplate: LOG_TEMPLATE, compactBackupTemplate: COMPACT_TEMPLATE, compactInterval: '2h' };
  const cases: ReadonlyArray<{ name: string; spec: JsonObject; scheduleName?: string; read: { maxBackups: number | null; pause: boolean; log: boolean; minCompactStartMs: number | null } }> = [
    { name: 'a name of exactly 36 characters', spec: valid, scheduleName: 'x'.repeat(36), read: { maxBackups: null, pause: false, log: false, minCompactStartMs: null } },
    {
      name: 'null optional fields, read as unset',
      spec: { ...valid, pause: null, maxBackups: null, storageClassName: null, logBackupTemplate: null, compactBackupTemplate: null, minCompactStartTs: null },
      read: { maxBackups: null, pause: false, log: false, minCompactStartMs: null },
    },
    { name: 'an empty minCompactStartTs, read as unset', spec: { ...compacting, minCompactStartTs: '' }, read: { maxBackups: null, pause: false, log: true, minCompactStartMs: null } },
    { name: 'a minCompactStartTs as a UTC time', spec: { ...compacting, minCompactStartTs: '2024-05-01 00:00:00' }, read: { maxBackups: null, pause: false, log: true, minCompactStartMs: Date.parse('2024-05-01T00:00:00Z') } },
  ];
  for (const c of cases) {
    it(`accepts ${c.name}`, () => {
      const read = readSpec(schedule({ ...(c.scheduleName ? { name: c.scheduleName } : {}), spec: c.spec }));
      assert.ok(read.ok, read.ok ? '' : read.problems.join(' | '));
      const { maxBackups, pause, logBackupTemplate, minCompactStartMs } = read.spec;
      assert.deepEqual({ maxBackups, pause, log: logBackupTemplate !== null, minCompactStartMs }, c.read);
    });
  }

  it('a compactInterval Go cannot read is one problem, not also a missing compactInterval', () => {
    const read = readSpec(schedule({ spec: { ...compacting, compactInterval: '1x' } }));
    assert.equal(read.ok, false);
    if (!read.ok) assert.deepEqual(read.problems.map((p) => p.split(/[: ]/)[0]), ['spec.compactInterval']);
  });
});
