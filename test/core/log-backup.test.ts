/**
 * The log Backup `log-<schedule>` as a user sees it through sync answers: when it is asked for and with which start,
 * what the status records of one already running, and how its conditions and metrics read it.
 */

import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import type { Decision } from '../../src/core/sync.js';
import type { BackupSchedule, JsonObject, KubeObject, SyncRequest } from '../../src/core/types.js';
import { BR_TEMPLATE, LOG_TEMPLATE, logBackup, request, schedule, tsoAt } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}Z`;
const spec = (extra: JsonObject = {}): JsonObject => ({ schedule: '0 * * * *', backupTemplate: BR_TEMPLATE, logBackupTemplate: LOG_TEMPLATE, ...extra });
const NOT_CONFIGURED = 'spec.logBackupTemplate is not set: the hook no longer watches log Backup log-nightly nor asks for one; it never deletes it';
const logChild = (d: Decision) => d.response.children.find((c) => c.kind === 'Backup' && c.metadata.name === 'log-nightly');
const prefixOf = (child: { spec?: unknown } | undefined): unknown => ((child?.spec as JsonObject | undefined)?.['s3'] as JsonObject | undefined)?.['prefix'];
const condition = (d: Decision, type: string): string | null => {
  const c = d.response.status.conditions?.find((x) => x.type === type);
  return c === undefined ? null : `${c.status}/${c.reason}`;
};

describe('the log Backup: asking for it', () => {
  const asked = { logBackup: 'log-nightly', logBackupStartTs: at('02:00:00'), logBackupCreationTime: at('02:00:05') };
  const withoutCreation = (parent: BackupSchedule): BackupSchedule => {
    delete parent.metadata.creationTimestamp;
    return parent;
  };
  const foreignLog = (): KubeObject => {
    const log = logBackup({ start: at('00:00:00'), checkpoint: at('02:00:00') });
    log.metadata!.ownerReferences = [{ apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', name: 'other', uid: 'uid-other', controller: true }];
    return log;
  };
  const cases: ReadonlyArray<{ name: string; parent: BackupSchedule; children?: KubeObject[]; now: string; start: string | null; startTs: string | undefined; missing: string | null }> = [
    { name: 'first time: from the most recent tick', parent: schedule({ spec: spec() }), now: at('02:30:00'), start: '2024-05-01t02-00-00', startTs: at('02:00:00'), missing: null },
    { name: 'first time, status.logBackup empty: the same', parent: schedule({ spec: spec(), status: { logBackup: '' } }), now: at('02:30:00'), start: '2024-05-01t02-00-00', startTs: at('02:00:00'), missing: null },
    { name: 'first time, paused: not asked for', parent: schedule({ spec: spec({ pause: true }) }), now: at('02:30:00'), start: null, startTs: undefined, missing: null },
    { name: '@every: from its most recent tick after the watermark', parent: schedule({ spec: spec({ schedule: '@every 10m' }) }), now: at('00:25:00'), start: '2024-05-01t00-20-00', startTs: at('00:20:00'), missing: null },
    { name: '@every before its first tick: from the watermark', parent: schedule({ spec: spec({ schedule: '@every 10m' }), created: at('00:00:30') }), now: at('00:05:00'), start: '2024-05-01t00-00-30', startTs: at('00:00:30'), missing: null },
    { name: 'cron with no tick since the watermark: from the tick before it', parent: schedule({ spec: spec(), created: at('00:20:00') }), now: at('00:40:00'), start: '2024-05-01t00-00-00', startTs: at('00:00:00'), missing: null },
    {
      name: '@every with a watermark ahead of now: never from the future',
      parent: schedule({ spec: spec({ schedule: '@every 10m' }), status: { lastBackup: 'ahead', lastBackupTime: at('01:00:00') } }),
      now: '2024-05-01T00:30:00.700Z',
      start: '2024-05-01t00-30-00',
      startTs: at('00:30:00'),
      missing: null,
    },
    { name: '@every with no watermark at all: from a tick before now', parent: withoutCreation(schedule({ spec: spec({ schedule: '@every 10m' }) })), now: '2024-05-01T00:03:00.700Z', start: '2024-05-01t00-00-00', startTs: at('00:00:00'), missing: null },
    { name: 'a schedule that never ticks (February 30): from now, to the second', parent: schedule({ spec: spec({ schedule: '0 0 30 2 *' }) }), now: '2024-05-01T02:30:00.700Z', start: '2024-05-01t02-30-00', startTs: at('02:30:00'), missing: null },
    { name: 'missing within the grace after it was asked for: asked for again, same start', parent: schedule({ spec: spec(), status: asked }), now: at('02:05:04'), start: '2024-05-01t02-00-00', startTs: at('02:00:00'), missing: null },
    { name: 'missing exactly at the end of the grace: missing, asked for anew', parent: schedule({ spec: spec(), status: asked }), now: at('02:05:05'), start: '2024-05-01t02-00-00', startTs: at('02:00:00'), missing: 'True/LogBackupMissing' },
    { name: 'missing past the grace, new start', parent: schedule({ spec: spec(), status: asked }), now: at('03:10:00'), start: '2024-05-01t03-00-00', startTs: at('03:00:00'), missing: 'True/LogBackupMissing' },
    { name: 'missing within the grace, paused: not asked for again', parent: schedule({ spec: spec({ pause: true }), status: asked }), now: at('02:01:00'), start: null, startTs: at('02:00:00'), missing: null },
    { name: 'missing past the grace, paused: reported, not asked for', parent: schedule({ spec: spec({ pause: true }), status: asked }), now: at('02:30:00'), start: null, startTs: at('02:00:00'), missing: 'True/LogBackupMissing' },
    {
      name: 'recorded as asked for a moment ago but without a start: missing at once, new start',
      parent: schedule({ spec: spec(), status: { logBackup: 'log-nightly', logBackupCreationTime: at('02:29:00') } }),
      now: at('02:30:00'),
      start: '2024-05-01t02-00-00',
      startTs: at('02:00:00'),
      missing: 'True/LogBackupMissing',
    },
    { name: 'recorded without a start: missing at once', parent: schedule({ spec: spec(), status: { logBackup: 'log-nightly' } }), now: at('02:30:00'), start: '2024-05-01t02-00-00', startTs: at('02:00:00'), missing: 'True/LogBackupMissing' },
    { name: "a Backup of that name owned by another schedule is not this one's log", parent: schedule({ spec: spec() }), children: [foreignLog()], now: at('02:30:00'), start: null, startTs: at('02:00:00'), missing: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(request(c.parent, c.children ?? []), { now: Date.parse(c.now) });
      const observed = new Set((c.children ?? []).map((x) => x.metadata?.name));
      const created = observed.has('log-nightly') ? undefined : logChild(d);
      assert.deepEqual(
        { start: created === undefined ? null : String(prefixOf(created)).replace('log-backup/log-', ''), startTs: d.response.status.logBackupStartTs, missing: condition(d, 'LogBackupMissing') },
        { start: c.start, startTs: c.startTs, missing: c.missing },
      );
    });
  }

  it('a template without backupMode runs as a log backup', () => {
    const { backupMode: _mode, ...template } = LOG_TEMPLATE;
    const d = decide(request(schedule({ spec: spec({ logBackupTemplate: template }) })), { now: Date.parse(at('02:30:00')) });
    assert.equal((logChild(d)?.spec as JsonObject | undefined)?.['backupMode'], 'log');
  });
});

describe('the log Backup: one already running', () => {
  /** The log Backup started at 00:00, its storage prefix `prefix` (stamped `log-2024-05-01t00-00-00` by default). */
  function running(options: { prefix?: string; commitTs?: unknown; created?: string | null; noStatus?: boolean }): KubeObject {
    const log = logBackup({ start: at('00:00:00'), checkpoint: at('02:00:00') });
    if (options.prefix !== undefined) (log.spec!['s3'] as JsonObject)['prefix'] = options.prefix;
    if (options.commitTs !== undefined) log.status!['commitTs'] = options.commitTs as string;
    if (options.created === null) delete log.metadata!.creationTimestamp;
    else if (options.created !== undefined) log.metadata!.creationTimestamp = options.created;
    if (options.noStatus === true) delete log.status;
    return log;
  }
  const cases: ReadonlyArray<{ name: string; log: KubeObject; recorded?: string; startTs: string }> = [
    { name: 'its prefix stamp, nothing recorded', log: running({}), startTs: at('00:00:00') },
    { name: 'its prefix stamp wins over an older record', log: running({}), recorded: '2024-04-30T23:00:00Z', startTs: at('00:00:00') },
    { name: 'a record of its prefix stamp in another notation stays as written', log: running({}), recorded: '2024-05-01T02:00:00+02:00', startTs: '2024-05-01T02:00:00+02:00' },
    { name: 'the stamp ends a nested prefix', log: running({ prefix: 'team/log-backup/log-2024-05-01t00-00-00', commitTs: tsoAt(at('00:10:00')) }), startTs: at('00:00:00') },
    { name: 'no stamp, nothing recorded: its commitTs', log: running({ prefix: 'log-backup', commitTs: tsoAt(at('00:10:00')) }), startTs: at('00:10:00') },
    { name: 'no stamp, a record: the record stays', log: running({ prefix: 'log-backup', commitTs: tsoAt(at('00:10:00')) }), recorded: '2024-04-30T23:00:00Z', startTs: '2024-04-30T23:00:00Z' },
    { name: 'no stamp, an unreadable commitTs: its creation', log: running({ prefix: 'log-backup', commitTs: 'soon', created: at('00:00:07') }), startTs: at('00:00:07') },
    { name: 'no stamp, no status: its creation', log: running({ prefix: 'log-backup', noStatus: true, created: at('00:00:07') }), startTs: at('00:00:07') },
    { name: 'no stamp, no commitTs that is a string, no creation: the epoch', log: running({ prefix: 'log-backup', commitTs: 4.5e17, created: null }), startTs: '1970-01-01T00:00:00Z' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status = { logBackup: 'log-nightly', ...(c.recorded === undefined ? {} : { logBackupStartTs: c.recorded }) };
      const d = decide(request(schedule({ spec: spec(), status }), [c.log]), { now: Date.parse(at('02:30:00')) });
      assert.equal(d.response.status.logBackupStartTs, c.startTs);
      assert.equal(condition(d, 'LogBackupMissing'), 'False/LogBackupPresent');
    });
  }
});

describe('the log Backup: LogBackupFailed and the metrics', () => {
  function withState(change: (log: KubeObject) => void): SyncRequest {
    const log = logBackup({ start: at('00:00:00'), checkpoint: at('02:00:00') });
    change(log);
    return request(schedule({ spec: spec(), status: { logBackup: 'log-nightly', logBackupStartTs: at('00:00:00') } }), [log]);
  }
  const statuses = (log: KubeObject): JsonObject => log.status!['logSubCommandStatuses'] as JsonObject;
  const cases: ReadonlyArray<{ name: string; change: (log: KubeObject) => void; failed: string; message: RegExp; health: string | null; checkpoint: number | null }> = [
    { name: 'running', change: () => {}, failed: 'False/NotFailed', message: /log-start Running$/, health: 'ok', checkpoint: Date.parse(at('02:00:00')) },
    { name: 'log-start failed', change: (l) => ((statuses(l)['log-start'] as JsonObject)['phase'] = 'Failed'), failed: 'True/LogSubcommandFailed', message: /log-start failed/, health: 'failed', checkpoint: Date.parse(at('02:00:00')) },
    {
      name: 'stopped through spec.logStop: the user stopped it, not watched',
      change: (l) => {
        l.spec!['logStop'] = true;
        statuses(l)['log-stop'] = { command: 'log-stop', phase: 'Complete' };
      },
      failed: 'False/StoppedByUser',
      message: /log-stop Complete$/,
      health: null,
      checkpoint: null,
    },
    { name: 'logSubCommandStatuses null: no status yet', change: (l) => (l.status!['logSubCommandStatuses'] = null), failed: 'False/NotFailed', message: /log-start has no status yet$/, health: 'ok', checkpoint: Date.parse(at('02:00:00')) },
    { name: 'a phase that is not a string: no status yet', change: (l) => ((statuses(l)['log-start'] as JsonObject)['phase'] = 5), failed: 'False/NotFailed', message: /log-start has no status yet$/, health: 'ok', checkpoint: Date.parse(at('02:00:00')) },
    { name: 'a checkpoint that is a number, not a TSO string: none', change: (l) => (l.status!['logCheckpointTs'] = 4.5e17), failed: 'False/NotFailed', message: /log-start Running$/, health: 'ok', checkpoint: null },
    {
      name: 'no status at all',
      change: (l) => {
        delete l.status;
      },
      failed: 'False/NotFailed',
      message: /log-start has no status yet$/,
      health: 'ok',
      checkpoint: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decide(withState(c.change), { now: Date.parse(at('02:30:00')) });
      assert.equal(condition(d, 'LogBackupFailed'), c.failed);
      assert.match(String(d.response.status.conditions?.find((x) => x.type === 'LogBackupFailed')?.message), c.message);
      assert.deepEqual({ health: d.report.facts.logBackup, checkpoint: d.report.facts.logCheckpoint }, { health: c.health, checkpoint: c.checkpoint });
    });
  }
});

describe('the log Backup: what the status and conditions say of it', () => {
  const observedLog = (): KubeObject => logBackup({ start: at('00:00:00'), checkpoint: at('02:00:00') });
  const decideAt = (parent: BackupSchedule, children: KubeObject[], now: string): Decision => decide(request(parent, children), { now: Date.parse(now) });
  const conditionOf = (d: Decision, type: string): JsonObject | undefined => d.response.status.conditions?.find((x) => x.type === type) as JsonObject | undefined;

  it('an adopted log Backup the status does not name yet is recorded', () => {
    const d = decideAt(schedule({ spec: spec() }), [observedLog()], at('02:30:00'));
    assert.equal(d.response.status.logBackup, 'log-nightly');
    assert.equal(conditionOf(d, 'LogBackupMissing')?.['message'], 'log Backup log-nightly exists');
  });

  const asks: ReadonlyArray<{ name: string; recorded: string; written: string }> = [
    { name: 'a record from a clock ahead of this one is written back as now, once', recorded: at('03:00:00'), written: at('02:30:00') },
    { name: 'a record in the past stays', recorded: at('00:00:05'), written: at('00:00:05') },
  ];
  for (const c of asks) {
    it(`when it was asked for: ${c.name}`, () => {
      const status = { logBackup: 'log-nightly', logBackupStartTs: at('00:00:00'), logBackupCreationTime: c.recorded };
      const d = decideAt(schedule({ spec: spec(), status }), [observedLog()], at('02:30:00'));
      assert.equal(d.response.status.logBackupCreationTime, c.written);
    });
  }

  it('when it was asked for: no record, none is made up for a log already running', () => {
    const d = decideAt(schedule({ spec: spec(), status: { logBackup: 'log-nightly', logBackupStartTs: at('00:00:00') } }), [observedLog()], at('02:30:00'));
    assert.equal(d.response.status.logBackupCreationTime, undefined);
  });

  it('a log Backup still running after its template was removed is kept, and reported on no more', () => {
    const status = { logBackup: 'log-nightly', logBackupStartTs: at('00:00:00') };
    const d = decideAt(schedule({ spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE }, status }), [observedLog()], at('02:30:00'));
    assert.ok(logChild(d) !== undefined);
    assert.deepEqual([conditionOf(d, 'LogBackupMissing'), conditionOf(d, 'LogBackupFailed')], [undefined, undefined]);
    assert.deepEqual({ health: d.report.facts.logBackup, checkpoint: d.report.facts.logCheckpoint }, { health: null, checkpoint: null });
  });

  describe('its conditions once its template is removed', () => {
    // Written while the template was set: the log failed. Then the template is removed, and the log kept or deleted.
    const failedLog = (): KubeObject => logBackup({ start: at('00:00:00'), checkpoint: at('02:20:00'), logStartPhase: 'Failed' });
    const written = decideAt(schedule({ spec: spec(), status: { logBackup: 'log-nightly', logBackupStartTs: at('00:00:00') } }), [failedLog()], at('02:30:00')).response.status;
    const retired = 'False/LogBackupNotConfigured';
    const cases: ReadonlyArray<{ name: string; children: () => KubeObject[]; missing: string | null; failed: string | null }> = [
      { name: 'the log kept: neither says any more that it exists or failed', children: () => [failedLog()], missing: retired, failed: retired },
      { name: 'the log deleted: neither says it exists, nor that a new one is asked for', children: () => [], missing: retired, failed: retired },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const before = decideAt(schedule({ spec: spec(), status: written }), [failedLog()], at('02:35:00'));
        assert.deepEqual([condition(before, 'LogBackupMissing'), condition(before, 'LogBackupFailed')], ['False/LogBackupPresent', 'True/LogSubcommandFailed']);
        const d = decideAt(schedule({ spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE }, status: written }), c.children(), at('02:40:00'));
        assert.deepEqual([condition(d, 'LogBackupMissing'), condition(d, 'LogBackupFailed')], [c.missing, c.failed]);
        const says = d.response.status.conditions?.filter((x) => x.type.startsWith('LogBackup')).map((x) => x.message);
        assert.deepEqual(says, [NOT_CONFIGURED, NOT_CONFIGURED]);
        assert.deepEqual({ health: d.report.facts.logBackup, checkpoint: d.report.facts.logCheckpoint }, { health: null, checkpoint: null });
      });
    }
  });

  it('missing within the grace: called back when the grace ends', () => {
    const status = { logBackup: 'log-nightly', logBackupStartTs: at('02:00:00'), logBackupCreationTime: at('02:00:05') };
    const d = decideAt(schedule({ spec: spec(), status }), [], at('02:01:00'));
    assert.equal(d.response.resyncAfterSeconds, 245);
  });

  it('missing past the grace: the message says what was asked for and what the gap means', () => {
    const status = { logBackup: 'log-nightly', logBackupStartTs: at('02:00:00'), logBackupCreationTime: at('02:00:05') };
    const d = decideAt(schedule({ spec: spec(), status }), [], at('03:10:00'));
    assert.equal(
      conditionOf(d, 'LogBackupMissing')?.['message'],
      'log Backup log-nightly is missing (deleted?); asked for a new one starting at 2024-05-01T03:00:00Z. ' +
        "Point-in-time recovery has a gap from the old log's last checkpoint to 2024-05-01T03:00:00Z; restore points inside it need a snapshot Backup",
    );
    assert.deepEqual({ health: d.report.facts.logBackup, checkpoint: d.report.facts.logCheckpoint }, { health: 'missing', checkpoint: null });
  });

  it('missing past the grace while paused: the message says none is asked for', () => {
    const status = { logBackup: 'log-nightly', logBackupStartTs: at('02:00:00'), logBackupCreationTime: at('02:00:05') };
    const d = decideAt(schedule({ spec: spec({ pause: true }), status }), [], at('03:10:00'));
    assert.equal(conditionOf(d, 'LogBackupMissing')?.['message'], 'log Backup log-nightly is missing; the schedule is paused, so no new one is asked for');
  });

  it('a failed log-start: the message says where to look and what to do', () => {
    const log = observedLog();
    ((log.status!['logSubCommandStatuses'] as JsonObject)['log-start'] as JsonObject)['phase'] = 'Failed';
    const d = decideAt(schedule({ spec: spec(), status: { logBackup: 'log-nightly', logBackupStartTs: at('00:00:00') } }), [log], at('02:30:00'));
    assert.equal(
      conditionOf(d, 'LogBackupFailed')?.['message'],
      'log Backup log-nightly: log-start failed, so point-in-time coverage stops at its last checkpoint; see its conditions and the Job ' +
        'backup-log-nightly-log-start. The hook does not restart it: fix the cause, then delete the log Backup (a new one is asked for) or change its logSubcommand',
    );
  });

  const subcommands: ReadonlyArray<{ name: string; change: (log: KubeObject) => void; failed: string; message: string; health: string | null }> = [
    {
      name: 'paused through spec.logSubcommand: the user paused it, not watched',
      change: (l) => {
        l.spec!['logSubcommand'] = 'log-pause';
        (l.status!['logSubCommandStatuses'] as JsonObject)['log-pause'] = { command: 'log-pause', phase: 'Complete' };
      },
      failed: 'False/StoppedByUser',
      message: 'log Backup log-nightly: log-pause Complete',
      health: null,
    },
    {
      name: 'spec.logSubcommand wins over spec.logStop',
      change: (l) => {
        l.spec!['logSubcommand'] = 'log-start';
        l.spec!['logStop'] = true;
      },
      failed: 'False/NotFailed',
      message: 'log Backup log-nightly: log-start Running',
      health: 'ok',
    },
    {
      name: 'no entry for the current subcommand yet',
      change: (l) => (l.status!['logSubCommandStatuses'] = {}),
      failed: 'False/NotFailed',
      message: 'log Backup log-nightly: log-start has no status yet',
      health: 'ok',
    },
  ];
  for (const c of subcommands) {
    it(`its current subcommand: ${c.name}`, () => {
      const log = observedLog();
      c.change(log);
      const d = decideAt(schedule({ spec: spec(), status: { logBackup: 'log-nightly', logBackupStartTs: at('00:00:00') } }), [log], at('02:30:00'));
      assert.equal(condition(d, 'LogBackupFailed'), c.failed);
      assert.equal(conditionOf(d, 'LogBackupFailed')?.['message'], c.message);
      assert.equal(d.report.facts.logBackup, c.health);
    });
  }

  it('a checkpoint TSO of 0 is a log that has not checkpointed yet, not one stuck at 1970', () => {
    const log = observedLog();
    log.status!['logCheckpointTs'] = '0';
    const d = decideAt(schedule({ spec: spec(), status: { logBackup: 'log-nightly', logBackupStartTs: at('00:00:00') } }), [log], at('02:30:00'));
    assert.deepEqual({ health: d.report.facts.logBackup, checkpoint: d.report.facts.logCheckpoint }, { health: 'ok', checkpoint: null });
  });

  it('a prefix ending in another name’s stamp is not the log’s start: its commitTs is', () => {
    const log = observedLog();
    (log.spec!['s3'] as JsonObject)['prefix'] = 'log-backup/old-2024-04-30t00-00-00';
    log.status!['commitTs'] = tsoAt(at('00:10:00'));
    const d = decideAt(schedule({ spec: spec(), status: { logBackup: 'log-nightly' } }), [log], at('02:30:00'));
    assert.equal(d.response.status.logBackupStartTs, at('00:10:00'));
  });

  it('@every asked for at the very instant of its watermark: from the watermark', () => {
    const d = decideAt(schedule({ spec: spec({ schedule: '@every 10m' }), created: at('00:00:30') }), [], at('00:00:30'));
    assert.equal(d.response.status.logBackupStartTs, at('00:00:30'));
  });
});
