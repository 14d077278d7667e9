import assert from 'node:assert/strict';

import { backupNowAskedAt, backupNowFinding, backupNowGate, backupNowRequestOf, backupNowResolved, backupNowStateOf, decideBackupNow, readBackupNowToken } from '../../src/core/backup-now.js';
import type { Gate } from '../../src/core/gate.js';
import { observeChildren } from '../../src/core/observe.js';
import type { ObservedBackup } from '../../src/core/observe.js';
import type { BackupScheduleStatus } from '../../src/core/types.js';
import { decide } from '../../src/core/sync.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';
import type { TestState } from '../support/objects.js';

const NOW_ANNOTATION = 'backup-schedule-hook/backup-now';
const at = (hhmm: string): number => Date.parse(`2024-05-01T${hhmm}:00Z`);
const GRACE = 5 * 60_000;
const CLOCK = { now: at('00:30'), staleViewGraceMs: GRACE };

function backups(manual: { token: string; state: TestState; deleting?: boolean } | null): Map<string, ObservedBackup> {
  const children = [backup({ slot: '2024-05-01T00:10:00Z' })];
  if (manual !== null) {
    children.push(
      backup({
        slot: '2024-05-01T00:12:00Z',
        name: `nightly-manual-${manual.token}`,
        annotate: false,
        annotations: { [NOW_ANNOTATION]: manual.token },
        state: manual.state,
        ...(manual.deleting ? { deleting: '2024-05-01T00:20:00Z' } : {}),
      }),
    );
  }
  const map = Object.fromEntries(children.map((c) => [`db/${c.metadata?.name}`, c]));
  return new Map(observeChildren(schedule(), { 'Backup.pingcap.com/v1alpha1': map }).backups.map((b) => [b.name, b]));
}
const served = (token: string, running?: string): BackupScheduleStatus => ({
  lastBackupNow: { name: `nightly-manual-${token}`, token },
  ...(running ? { conditions: [{ type: 'BackupNow', status: 'True', reason: 'Running', message: 'm', lastTransitionTime: new Date(at(running)).toISOString() }] } : {}),
});

describe('backup-now', () => {
  it('a new token is pending', () => {
    assert.deepEqual(backupNowStateOf({}, { token: 'a1', scheduleName: 'nightly', backups: backups(null), ...CLOCK }), { last: null, adopted: false, pending: 'a1', again: false });
  });
  it('a token recorded in status is served, never pending again', () => {
    assert.equal(backupNowStateOf(served('a1'), { token: 'a1', scheduleName: 'nightly', backups: backups(null), ...CLOCK }).pending, null);
  });
  it('a token whose Backup already exists is adopted (status lost), not asked for again', () => {
    const state = backupNowStateOf({}, { token: 'a1', scheduleName: 'nightly', backups: backups({ token: 'a1', state: 'running' }), ...CLOCK });
    assert.deepEqual(state, { last: { name: 'nightly-manual-a1', token: 'a1', askedAt: null, seen: true }, adopted: true, pending: null, again: false });
  });

  const open: Gate = { open: true };
  const closed: Gate = { open: false, message: 'waiting for Backup x to finish', until: null, blocker: 'x' };
  const afterMissed: Gate = { open: false, message: 'the tick 2024-05-01T00:10:00Z did not run; …', until: at('00:15'), blocker: null };
  const decisions: ReadonlyArray<{ name: string; pending: string | null; pause: boolean; gate: Gate; tickFirst: boolean; quiet?: Gate; create: string | null; waiting: string | null }> = [
    { name: 'creates when the gate is open', pending: 'a1', pause: false, gate: open, tickFirst: false, create: 'a1', waiting: null },
    { name: 'waits for a tick due in the same sync', pending: 'a1', pause: false, gate: open, tickFirst: true, create: null, waiting: 'a1' },
    { name: 'waits for the gate like a tick', pending: 'a1', pause: false, gate: closed, tickFirst: false, create: null, waiting: 'a1' },
    { name: 'waits out the grace after a tick that did not run', pending: 'a1', pause: false, gate: open, tickFirst: false, quiet: afterMissed, create: null, waiting: 'a1' },
    { name: 'waits while paused', pending: 'a1', pause: true, gate: open, tickFirst: false, create: null, waiting: 'a1' },
    { name: 'does nothing without a pending token', pending: null, pause: false, gate: open, tickFirst: false, create: null, waiting: null },
  ];
  for (const d of decisions) {
    it(d.name, () => {
      const decision = decideBackupNow(d.pending, { pause: d.pause, gate: d.gate, tickFirst: d.tickFirst, quiet: d.quiet ?? open });
      assert.equal(decision.create, d.create);
      assert.equal(decision.waiting, d.waiting);
    });
  }

  const gates: ReadonlyArray<{ name: string; previous: BackupScheduleStatus; manual: { token: string; state: TestState; deleting?: boolean } | null; now: number; open: boolean }> = [
    { name: 'a running backup-now Backup closes the gate', previous: served('a1'), manual: { token: 'a1', state: 'running' }, now: at('00:30'), open: false },
    { name: 'a finished one opens it', previous: served('a1'), manual: { token: 'a1', state: 'failed' }, now: at('00:30'), open: true },
    { name: 'one being deleted opens it', previous: served('a1'), manual: { token: 'a1', state: 'running', deleting: true }, now: at('00:30'), open: true },
    { name: 'one missing from the view counts as running within the grace after its creation', previous: served('a1', '00:12'), manual: null, now: at('00:16'), open: false },
    { name: 'one missing from the view past the grace is gone', previous: served('a1', '00:12'), manual: null, now: at('00:17'), open: true },
    { name: 'one missing from the view without a Running condition is gone', previous: served('a1'), manual: null, now: at('00:13'), open: true },
  ];
  for (const g of gates) {
    it(g.name, () => {
      const view = backups(g.manual);
      const state = backupNowStateOf(g.previous, { token: null, scheduleName: 'nightly', backups: view, now: g.now, staleViewGraceMs: GRACE });
      const gate = backupNowGate(g.previous, { now: g.now, backups: view, staleViewGraceMs: GRACE, last: state.last });
      assert.equal(gate.open, g.open);
      const finding = backupNowFinding({ scheduleName: 'nightly', state, decision: { create: null, waiting: null, waitingFor: '' }, gate });
      assert.equal(finding?.reason ?? null, g.open ? null : 'Running');
    });
  }
});

describe('backup-now through a sync: odd status records and Backups', () => {
  const iso = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
  const lastTick = { lastBackup: 'nightly-2024-05-01t00-10-00', lastBackupTime: iso('00:10') };
  const waitingCondition = { type: 'BackupNow', status: 'True', reason: 'Waiting', message: 'm', lastTransitionTime: iso('00:11') };
  const cases: ReadonlyArray<{ name: string; token: string | null; status: BackupScheduleStatus; created: string | null; seenAt: string | undefined; condition: string | null }> = [
    { name: 'records that are null read as none: first seen now, waits the grace', token: 'a1', status: { lastBackupNow: null, backupNowRequest: null }, created: null, seenAt: iso('00:15'), condition: 'True/Waiting' },
    { name: 'a request record with an unreadable seenAt: first seen now', token: 'a1', status: { backupNowRequest: { token: 'a1', seenAt: 'yesterday' } }, created: null, seenAt: iso('00:15'), condition: 'True/Waiting' },
    { name: 'a request first seen past the grace: served', token: 'a1', status: { backupNowRequest: { token: 'a1', seenAt: iso('00:09') } }, created: 'nightly-manual-a1', seenAt: undefined, condition: 'True/Running' },
    {
      name: 'a served record without a name is no record: the request is served',
      token: 'a1',
      status: { lastBackupNow: { token: 'a1' }, backupNowRequest: { token: 'a1', seenAt: iso('00:09') } },
      created: 'nightly-manual-a1',
      seenAt: undefined,
      condition: 'True/Running',
    },
    { name: 'a request withdrawn before it was served: Finished, nothing waits or runs', token: null, status: { conditions: [waitingCondition] }, created: null, seenAt: undefined, condition: 'False/Finished: no backup-now request waits or runs' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule({ status: { ...lastTick, ...c.status }, ...(c.token === null ? {} : { annotations: { [NOW_ANNOTATION]: c.token } }) });
      const { response, report } = decide(request(parent, [backup({ slot: iso('00:10') })]), { now: at('00:15') });
      const condition = response.status.conditions?.find((x) => x.type === 'BackupNow');
      const written = condition === undefined ? null : `${condition.status}/${condition.reason}${condition.status === 'False' ? `: ${condition.message}` : ''}`;
      const seenAt = (response.status.backupNowRequest as { seenAt?: string } | undefined)?.seenAt;
      assert.deepEqual({ created: report.created, seenAt, condition: written }, { created: c.created, seenAt: c.seenAt, condition: c.condition });
    });
  }

  it('a Backup of the schedule without annotations is a scheduled one, not a backup-now one', () => {
    const plain = backup({ slot: iso('00:10') });
    delete plain.metadata!.annotations;
    const { response } = decide(request(schedule({ status: lastTick }), [plain]), { now: at('00:15') });
    assert.deepEqual(response.children.map((c) => c.metadata.name), ['nightly-2024-05-01t00-10-00']);
    assert.equal(response.status.lastBackup, 'nightly-2024-05-01t00-10-00');
  });
});

describe('backup-now through a sync: status.lastBackupNow', () => {
  const iso = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
  const lastTick = { lastBackup: 'nightly-2024-05-01t00-10-00', lastBackupTime: iso('00:10') };
  const manual = (token: string): ReturnType<typeof backup> =>
    backup({ slot: iso('00:12'), name: `nightly-manual-${token}`, annotate: false, annotations: { [NOW_ANNOTATION]: token } });
  const cases: ReadonlyArray<{ name: string; token: string | null; status: BackupScheduleStatus; manual: string | null; last: unknown }> = [
    { name: 'its Backup observed but the record lost: adopted into the status', token: 'a1', status: {}, manual: 'a1', last: { name: 'nightly-manual-a1', token: 'a1', seen: true } },
    { name: 'its Backup observed, an older token recorded: the new one is adopted', token: 'a2', status: served('a1'), manual: 'a2', last: { name: 'nightly-manual-a2', token: 'a2', seen: true } },
    { name: 'recorded and observed: the record stays, now marked seen', token: 'a1', status: served('a1'), manual: 'a1', last: { name: 'nightly-manual-a1', token: 'a1', seen: true } },
    { name: 'no request and no record: none written', token: null, status: {}, manual: null, last: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule({ status: { ...lastTick, ...c.status }, ...(c.token === null ? {} : { annotations: { [NOW_ANNOTATION]: c.token } }) });
      const children = [backup({ slot: iso('00:10') }), ...(c.manual === null ? [] : [manual(c.manual)])];
      const { response, report } = decide(request(parent, children), { now: at('00:15') });
      assert.deepEqual({ created: report.created, last: response.status.lastBackupNow }, { created: null, last: c.last });
    });
  }
});

describe('backup-now: what the request, the gate and the BackupNow condition say', () => {
  it('reads a token that is not a text as no token, and says what to write', () => {
    const problems: string[] = [];
    const parent = schedule({ annotations: { [NOW_ANNOTATION]: 123 as unknown as string } });
    assert.equal(readBackupNowToken(parent, problems), null);
    assert.deepEqual(problems, [
      'metadata.annotations["backup-schedule-hook/backup-now"] 123 must be 1 to 12 characters of a-z and 0-9, such as "20240501a"; ' +
        'it names the Backup <schedule>-manual-<token>, so use a new token for each request',
    ]);
  });

  it('reads a request record whose token is not a text as none', () => {
    assert.equal(backupNowRequestOf({ backupNowRequest: { token: 7, seenAt: '2024-05-01T00:09:00Z' } }), null);
    assert.deepEqual(backupNowRequestOf({ backupNowRequest: { token: 'a1', seenAt: '2024-05-01T00:09:00Z' } }), { token: 'a1', seenAt: at('00:09') });
  });

  const states: ReadonlyArray<{ name: string; previous: BackupScheduleStatus; token: string | null; manual: { token: string; state: TestState } | null; want: unknown }> = [
    { name: 'no token: nothing pending, nothing adopted, even beside a Backup named for the token "null"', previous: {}, token: null, manual: { token: 'null', state: 'running' }, want: { last: null, adopted: false, pending: null, again: false } },
    { name: 'the recorded token: served, not adopted again', previous: served('a1'), token: 'a1', manual: { token: 'a1', state: 'running' }, want: { last: { name: 'nightly-manual-a1', token: 'a1', askedAt: null, seen: false }, adopted: false, pending: null, again: false } },
  ];
  for (const c of states) {
    it(c.name, () => assert.deepEqual(backupNowStateOf(c.previous, { token: c.token, scheduleName: 'nightly', backups: backups(c.manual), ...CLOCK }), c.want));
  }

  it('decides nothing without a pending token, whatever the gates say', () => {
    const closed: Gate = { open: false, message: 'waiting', until: null, blocker: 'x' };
    for (const pause of [false, true]) {
      assert.deepEqual(decideBackupNow(null, { pause, gate: closed, tickFirst: true, quiet: closed }), { create: null, waiting: null, waitingFor: '' });
    }
  });

  it('closes the gate while the last backup-now Backup runs or may exist unseen, and says so', () => {
    const last = { name: 'nightly-manual-a1', token: 'a1', askedAt: null, seen: false };
    const running = backupNowGate(served('a1'), { now: at('00:30'), backups: backups({ token: 'a1', state: 'running' }), staleViewGraceMs: GRACE, last });
    assert.deepEqual(running, { open: false, message: 'waiting for backup-now Backup nightly-manual-a1 to finish', until: null, blocker: 'nightly-manual-a1' });
    const unseen = backupNowGate(served('a1', '00:12'), { now: at('00:16'), backups: backups(null), staleViewGraceMs: GRACE, last });
    assert.deepEqual(unseen, {
      open: false,
      message: 'backup-now Backup nightly-manual-a1 is not in the view yet; it counts as running until 2024-05-01T00:17:00Z (stale-view grace)',
      until: at('00:17'),
      blocker: null,
    });
  });

  it('words the BackupNow finding of a request that waits and of a Backup created', () => {
    const state = { last: null, adopted: false, pending: 'a1', again: false };
    const open: Gate = { open: true };
    assert.deepEqual(backupNowFinding({ scheduleName: 'nightly', state, gate: open, decision: { create: null, waiting: 'a1', waitingFor: 'spec.pause is true' } }), {
      reason: 'Waiting',
      message: 'backup-now Backup nightly-manual-a1 (token a1) waits: spec.pause is true',
    });
    assert.deepEqual(backupNowFinding({ scheduleName: 'nightly', state, gate: open, decision: { create: 'a1', waiting: null, waitingFor: '' } }), {
      reason: 'Running',
      message: 'backup-now Backup nightly-manual-a1 has not finished',
    });
  });

  it('words a new request that waits beside the last one served as waiting, not as asked for again', () => {
    const state = { last: { name: 'nightly-manual-a1', token: 'a1', askedAt: at('00:10'), seen: true }, adopted: false, pending: 'b2', again: false };
    assert.deepEqual(backupNowFinding({ scheduleName: 'nightly', state, gate: { open: true }, decision: { create: null, waiting: 'b2', waitingFor: 'spec.pause is true' } }), {
      reason: 'Waiting',
      message: 'backup-now Backup nightly-manual-b2 (token b2) waits: spec.pause is true',
    });
  });

  const iso = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
  const condition = (reason: string, hhmm: string) => ({ conditions: [{ type: 'BackupNow', status: 'True', reason, message: 'm', lastTransitionTime: iso(hhmm) }] });
  const askedAts: ReadonlyArray<{ name: string; status: BackupScheduleStatus; want: number | null }> = [
    { name: 'recorded askedAt, no condition', status: { lastBackupNow: { name: 'nightly-manual-a1', token: 'a1', askedAt: iso('00:10') } }, want: at('00:10') },
    { name: 'recorded askedAt, before a Running condition of another time', status: { lastBackupNow: { name: 'nightly-manual-a1', token: 'a1', askedAt: iso('00:10') }, ...condition('Running', '00:05') }, want: at('00:10') },
    { name: 'a record without askedAt (an older version): the Running condition', status: { lastBackupNow: { name: 'nightly-manual-a1', token: 'a1' }, ...condition('Running', '00:05') }, want: at('00:05') },
    { name: 'a record without askedAt, the condition not Running: none', status: { lastBackupNow: { name: 'nightly-manual-a1', token: 'a1' }, ...condition('Waiting', '00:05') }, want: null },
    { name: 'no record, no condition: none', status: {}, want: null },
  ];
  for (const c of askedAts) {
    it(`reads when the last backup-now Backup was asked for: ${c.name}`, () => assert.equal(backupNowAskedAt(c.status), c.want));
  }

  const resolved: ReadonlyArray<{ name: string; last: boolean; manual: { token: string; state: TestState; deleting?: boolean } | null; message: string }> = [
    { name: 'none served', last: false, manual: null, message: 'no backup-now request waits or runs' },
    { name: 'its Backup gone from the view', last: true, manual: null, message: 'backup-now Backup nightly-manual-a1 (token a1) is no longer in the view' },
    { name: 'its Backup being deleted', last: true, manual: { token: 'a1', state: 'running', deleting: true }, message: 'backup-now Backup nightly-manual-a1 (token a1) is being deleted' },
    { name: 'its Backup Complete', last: true, manual: { token: 'a1', state: 'complete' }, message: 'backup-now Backup nightly-manual-a1 (token a1) is finished (complete)' },
    { name: 'its Backup Failed', last: true, manual: { token: 'a1', state: 'failed' }, message: 'backup-now Backup nightly-manual-a1 (token a1) is finished (failed)' },
  ];
  for (const c of resolved) {
    it(`says what became of the last request once nothing waits or runs: ${c.name}`, () => {
      const state = { last: c.last ? { name: 'nightly-manual-a1', token: 'a1', askedAt: null, seen: c.manual !== null } : null, adopted: false, pending: null, again: false };
      assert.deepEqual(backupNowResolved(state, { backups: backups(c.manual), ...CLOCK }), { reason: 'Finished', message: c.message });
    });
  }
});

describe('backup-now: a Backup asked for and never seen is asked for again', () => {
  // Hourly: the 00:00 Backup is complete, no tick is near. The backup-now Backup was asked for at 00:10
  // (status.lastBackupNow.askedAt); missing from the view, it counts as running until 00:15 (the 5-minute grace).
  const iso = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
  const hourly = { schedule: '0 * * * *', maxReservedTime: '3h', backupTemplate: BR_TEMPLATE };
  const lastTick = { lastBackup: 'nightly-2024-05-01t00-00-00', lastBackupTime: iso('00:00') };
  // The sync that asked for it also made the BackupNow condition Running, then.
  const running = (hhmm: string): BackupScheduleStatus => ({ conditions: [{ type: 'BackupNow', status: 'True', reason: 'Running', message: 'm', lastTransitionTime: iso(hhmm) }] });
  const asked = (extra: Record<string, unknown> = {}): BackupScheduleStatus => ({ lastBackupNow: { name: 'nightly-manual-a1', token: 'a1', askedAt: iso('00:10'), ...extra }, ...running('00:10') });
  const quietFrom = (hhmm: string): BackupScheduleStatus => ({ backupNowRequest: { token: 'a1', seenAt: iso(hhmm) } });
  const cases: ReadonlyArray<{ name: string; now: string; status: BackupScheduleStatus; token?: string | null; pause?: boolean; manual?: TestState; created: string | null; last: unknown; condition: string }> = [
    { name: 'within the grace after it was asked for, missing from the view: it may exist, it runs', now: '00:14', status: asked(), created: null, last: asked().lastBackupNow, condition: 'True/Running: backup-now Backup nightly-manual-a1 has not finished' },
    {
      name: 'past the grace and never seen: asked for again, waiting out the grace after the request is seen again',
      now: '00:15',
      status: asked(),
      created: null,
      last: asked().lastBackupNow,
      condition:
        'True/Waiting: backup-now Backup nightly-manual-a1 (token a1) was asked for at 2024-05-01T00:10:00Z and never appeared in the view (its create may have failed): ' +
        'it is asked for again; it waits: it was first seen at 2024-05-01T00:15:00Z and starts after the stale-view grace, at 2024-05-01T00:20:00Z: a Backup an earlier request started may not be in every view before then',
    },
    {
      name: 'then created again under the same name, recorded as asked for now',
      now: '00:20',
      status: { ...asked(), ...quietFrom('00:15') },
      created: 'nightly-manual-a1',
      last: { name: 'nightly-manual-a1', token: 'a1', askedAt: iso('00:20') },
      condition: 'True/Running: backup-now Backup nightly-manual-a1 has not finished',
    },
    {
      name: 'asked for again while paused: it waits',
      now: '00:20',
      status: { ...asked(), ...quietFrom('00:15') },
      pause: true,
      created: null,
      last: asked().lastBackupNow,
      condition: 'True/Waiting: backup-now Backup nightly-manual-a1 (token a1) was asked for at 2024-05-01T00:10:00Z and never appeared in the view (its create may have failed): it is asked for again; it waits: spec.pause is true',
    },
    { name: 'seen once, then gone: deleted, never asked for again', now: '00:20', status: asked({ seen: true }), created: null, last: asked({ seen: true }).lastBackupNow, condition: 'False/Finished: backup-now Backup nightly-manual-a1 (token a1) is no longer in the view' },
    {
      name: 'a record without askedAt (an older version wrote it): never asked for again, as before',
      now: '00:20',
      status: { lastBackupNow: { name: 'nightly-manual-a1', token: 'a1' }, ...running('00:10') },
      created: null,
      last: { name: 'nightly-manual-a1', token: 'a1' },
      condition: 'False/Finished: backup-now Backup nightly-manual-a1 (token a1) is no longer in the view',
    },
    {
      name: 'never seen, the request withdrawn: not asked for again, and not said to have run',
      now: '00:20',
      status: asked(),
      token: null,
      created: null,
      last: asked().lastBackupNow,
      condition:
        'False/Finished: backup-now Backup nightly-manual-a1 (token a1) was asked for at 2024-05-01T00:10:00Z and never appeared in the view (its create may have failed); ' +
        'it is not asked for again',
    },
    {
      name: 'asked for later than now (a clock that ran ahead): it counts as running, not asked for again',
      now: '00:20',
      status: { lastBackupNow: { name: 'nightly-manual-a1', token: 'a1', askedAt: iso('00:30') }, ...running('00:30') },
      created: null,
      last: { name: 'nightly-manual-a1', token: 'a1', askedAt: iso('00:30') },
      condition: 'True/Running: backup-now Backup nightly-manual-a1 has not finished',
    },
    {
      name: 'a record naming a Backup other than the token names is not asked for again',
      now: '00:20',
      status: { lastBackupNow: { name: 'nightly-by-hand', token: 'a1', askedAt: iso('00:10') }, ...running('00:10') },
      created: null,
      last: { name: 'nightly-by-hand', token: 'a1', askedAt: iso('00:10') },
      condition:
        'False/Finished: backup-now Backup nightly-by-hand (token a1) was asked for at 2024-05-01T00:10:00Z and never appeared in the view (its create may have failed); it is not asked for again',
    },
    { name: 'observed: recorded as seen', now: '00:12', status: asked(), manual: 'running', created: null, last: asked({ seen: true }).lastBackupNow, condition: 'True/Running: backup-now Backup nightly-manual-a1 has not finished' },
    { name: 'observed being finished: recorded as seen', now: '00:30', status: asked(), manual: 'complete', created: null, last: asked({ seen: true }).lastBackupNow, condition: 'False/Finished: backup-now Backup nightly-manual-a1 (token a1) is finished (complete)' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const token = c.token === undefined ? 'a1' : c.token;
      const spec = c.pause ? { ...hourly, pause: true } : hourly;
      const parent = schedule({ spec, status: { ...lastTick, ...c.status }, ...(token === null ? {} : { annotations: { [NOW_ANNOTATION]: token } }) });
      const children = [backup({ slot: iso('00:00') })];
      if (c.manual !== undefined) children.push(backup({ slot: iso('00:10'), name: 'nightly-manual-a1', annotate: false, annotations: { [NOW_ANNOTATION]: 'a1' }, state: c.manual }));
      const { response, report } = decide(request(parent, children), { now: at(c.now) });
      const condition = response.status.conditions?.find((x) => x.type === 'BackupNow');
      const written = condition === undefined ? null : `${condition.status}/${condition.reason}: ${condition.message}`;
      assert.deepEqual({ created: report.created, last: response.status.lastBackupNow, condition: written }, { created: c.created, last: c.last, condition: c.condition });
    });
  }
});

describe('backup-now: a sync with an invalid spec records the backup-now Backup its view shows as seen', () => {
  // The backup-now Backup was asked for at 00:10; a spec edit made the spec invalid before any valid sync saw it. A
  // view that shows it, even while the spec is invalid, must say so: else a user who deletes it meanwhile sees it
  // asked for again once the spec is fixed ("once seen, never asked for again").
  const iso = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;
  const valid = { schedule: '0 * * * *', maxReservedTime: '3h', backupTemplate: BR_TEMPLATE };
  const invalid = { ...valid, backupTemplate: { ...BR_TEMPLATE, backupMode: 'log' } };
  const lastTick = { lastBackup: 'nightly-2024-05-01t00-00-00', lastBackupTime: iso('00:00') };
  const asked = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'nightly-manual-a1', token: 'a1', askedAt: iso('00:10'), ...extra });
  const manual = (extra: { state: TestState; deleting?: string }) =>
    backup({ slot: iso('00:10'), name: 'nightly-manual-a1', annotate: false, annotations: { [NOW_ANNOTATION]: 'a1' }, ...extra });
  const parentWith = (spec: typeof valid, lastBackupNow: Record<string, unknown>) =>
    schedule({ spec, status: { ...lastTick, lastBackupNow }, annotations: { [NOW_ANNOTATION]: 'a1' } });
  const cases: ReadonlyArray<{ name: string; record: Record<string, unknown>; manual: { state: TestState; deleting?: string } | null; written: unknown }> = [
    { name: 'shown running: seen', record: asked(), manual: { state: 'running' }, written: asked({ seen: true }) },
    { name: 'shown being deleted: seen', record: asked(), manual: { state: 'complete', deleting: iso('00:20') }, written: asked({ seen: true }) },
    { name: 'not in the view: left as written', record: asked(), manual: null, written: asked() },
    { name: 'already seen: left as written', record: asked({ seen: true }), manual: { state: 'running' }, written: asked({ seen: true }) },
    { name: 'a record without askedAt, shown: seen', record: { name: 'nightly-manual-a1', token: 'a1' }, manual: { state: 'failed' }, written: { name: 'nightly-manual-a1', token: 'a1', seen: true } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const children = [backup({ slot: iso('00:00') }), ...(c.manual === null ? [] : [manual(c.manual)])];
      const { response, report } = decide(request(parentWith(invalid, c.record), children), { now: at('00:20') });
      assert.equal(report.outcome, 'invalid');
      assert.deepEqual(response.status.lastBackupNow, c.written);
    });
  }

  it('then deleted by a user and the spec fixed: never asked for again', () => {
    const seenWhileInvalid = decide(request(parentWith(invalid, asked()), [backup({ slot: iso('00:00') }), manual({ state: 'complete' })]), { now: at('00:20') });
    let status = seenWhileInvalid.response.status;
    const created: Array<string | null> = [];
    for (const hhmm of ['00:40', '00:46', '00:52']) {
      const { response, report } = decide(request(schedule({ spec: valid, status, annotations: { [NOW_ANNOTATION]: 'a1' } }), [backup({ slot: iso('00:00') })]), { now: at(hhmm) });
      created.push(report.created);
      status = response.status;
    }
    assert.deepEqual(created, [null, null, null]);
  });
});

describe('backup-now: a record an older version wrote keeps when its Backup was asked for', () => {
  // An older version wrote lastBackupNow without askedAt: its BackupNow condition (Running since 00:58) is the only
  // trace of when the Backup was asked for, and the gate counts it as running until 01:03 while the view lacks it. A
  // new token makes that condition Waiting: the answer must not lose the instant, or the next sync, sent that answer's
  // status at the same instant, starts the 01:00 tick on top of a Backup the answer before said may still run.
  const iso = (hhmm: string): string => `2024-05-01T${hhmm}Z`;
  const legacy = { name: 'nightly-manual-a1', token: 'a1' };
  const status = {
    lastBackup: 'nightly-2024-05-01t00-00-00',
    lastBackupTime: iso('00:00:00'),
    lastBackupNow: legacy,
    conditions: [{ type: 'BackupNow', status: 'True', reason: 'Running', message: 'backup-now Backup nightly-manual-a1 has not finished', lastTransitionTime: iso('00:58:00') }],
  };
  const cases: ReadonlyArray<{ name: string; token: string; now: string; record: unknown; created: Array<string | null> }> = [
    { name: 'a new token waits within the grace: askedAt carried, marked seen (never asked for again, as before)', token: 'b2', now: '01:00:30', record: { ...legacy, askedAt: iso('00:58:00'), seen: true }, created: [null, null] },
    { name: 'the same token: the condition stays Running, the record is left as written', token: 'a1', now: '01:00:30', record: legacy, created: [null, null] },
    { name: 'past the grace: nothing to keep, the record is left as written', token: 'b2', now: '01:03:30', record: legacy, created: ['nightly-2024-05-01t01-00-00', null] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parentWith = (s: BackupScheduleStatus) => schedule({ spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE }, status: s, annotations: { [NOW_ANNOTATION]: c.token } });
      const children = [backup({ slot: iso('00:00:00') })];
      const now = Date.parse(iso(c.now));
      const first = decide(request(parentWith(status), children), { now });
      const second = decide(request(parentWith(first.response.status), children), { now });
      assert.deepEqual({ record: first.response.status.lastBackupNow, created: [first.report.created, second.report.created] }, { record: c.record, created: c.created });
    });
  }
});
