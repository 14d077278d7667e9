import assert from 'node:assert/strict';

import { readSpec } from '../../src/core/spec.js';
import type { JsonObject } from '../../src/core/types.js';
import { BR_TEMPLATE, schedule } from '../support/objects.js';

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
  it('reports every problem at once', () => {
    const read = readSpec(schedule({ spec: { schedule: 'nope', maxReservedTime: '1x', maxBackups: -2 } }));
    assert.equal(read.ok, false);
    if (!read.ok) assert.equal(read.problems.length, 4);
  });
});
