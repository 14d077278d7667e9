import assert from 'node:assert/strict';

import { decide } from '../../src/core/sync.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';
import type { JsonObject } from '../../src/core/types.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}Z`;

/**
 * The last Backup (slot `last`, named `name`) recorded in the status as asked for at `askedAt`, missing from a view
 * that shows only the 00:00 one; the answer at `now` with the default 5-minute grace.
 */
function askedAgain(c: { schedule: string; last: string; askedAt: string; now: string; name?: string; extra?: JsonObject }): string[] {
  const name = c.name ?? `nightly-2024-05-01t${c.last.replaceAll(':', '-')}`;
  const status = { lastBackup: name, lastBackupTime: at(c.last), lastBackupCreation: { name, time: at(c.askedAt) } };
  const parent = schedule({ spec: { schedule: c.schedule, backupTemplate: BR_TEMPLATE, ...(c.extra ?? {}) }, status });
  const seen = backup({ slot: at('00:00:00') });
  const { children } = decide(request(parent, [seen]), { now: Date.parse(at(c.now)) }).response;
  return children.map((child) => child.metadata?.name ?? '').filter((n) => n !== seen.metadata?.name);
}

describe('asking for a missing last Backup again', () => {
  // Hourly: asked for at 01:00:02, it counts as running until 01:05:02 and is asked for again until half the grace
  // before then, 01:02:32. Every ten minutes: the quiet window before the 00:20 tick starts at 00:15:00.
  const hourly = { schedule: '0 * * * *', last: '01:00:00', askedAt: '01:00:02' };
  const tenMinutes = { schedule: '*/10 * * * *', last: '00:10:00' };
  const cases: ReadonlyArray<{ name: string; input: Parameters<typeof askedAgain>[0]; again: boolean }> = [
    { name: 'a second before half the grace before the gate opens: asked again', input: { ...hourly, now: '01:02:31' }, again: true },
    { name: 'exactly half the grace before the gate opens: no longer', input: { ...hourly, now: '01:02:32' }, again: false },
    { name: 'a Backup this hook did not name is never asked for again', input: { ...hourly, now: '01:01:30', name: 'nightly-by-hand' }, again: false },
    { name: 'asking ends exactly where the quiet window before the next tick starts: asked again', input: { ...tenMinutes, askedAt: '00:12:30', now: '00:13:00' }, again: true },
    { name: 'asking would go a second into the quiet window: not asked again', input: { ...tenMinutes, askedAt: '00:12:31', now: '00:13:00' }, again: false },
    { name: '@every: the quiet window is before the next tick from the watermark, not from now', input: { schedule: '@every 10m', last: '00:10:00', askedAt: '00:13:00', now: '00:14:00' }, again: false },
    { name: 'a long starting deadline does not stop it', input: { ...hourly, now: '01:01:30', extra: { startingDeadlineSeconds: 3600 } }, again: true },
    { name: 'asking ends exactly where the deadline quiet window starts (304 s: 01:02:32): asked again', input: { ...hourly, now: '01:01:30', extra: { startingDeadlineSeconds: 304 } }, again: true },
    { name: 'asking would go into the deadline quiet window (302 s: 01:02:31): not asked again', input: { ...hourly, now: '01:01:30', extra: { startingDeadlineSeconds: 302 } }, again: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const name = c.input.name ?? `nightly-2024-05-01t${c.input.last.replaceAll(':', '-')}`;
      assert.deepEqual(askedAgain(c.input), c.again ? [name] : []);
    });
  }
});

describe('asking again: what stops it, and the call-back when the status is ahead of this clock', () => {
  const hourly = { schedule: '0 * * * *', last: '01:00:00', askedAt: '01:00:02' };
  /** The answer's asked-again children and resyncAfterSeconds, with the view given (default: only the 00:00 one). */
  function answer(c: { now: string; askedAt?: string | null; pause?: boolean; name?: string; running?: boolean }): { again: string[]; resync: number | undefined } {
    const name = c.name ?? 'nightly-2024-05-01t01-00-00';
    const askedAt = c.askedAt === undefined ? hourly.askedAt : c.askedAt;
    const status = { lastBackup: name, lastBackupTime: at(hourly.last), ...(askedAt === null ? {} : { lastBackupCreation: { name, time: at(askedAt) } }) };
    const parent = schedule({ spec: { schedule: hourly.schedule, backupTemplate: BR_TEMPLATE, ...(c.pause ? { pause: true } : {}) }, status });
    const seen = [backup({ slot: at('00:00:00'), state: c.running ? 'running' : 'complete' })];
    const { children, resyncAfterSeconds } = decide(request(parent, seen), { now: Date.parse(at(c.now)) }).response;
    return { again: children.map((child) => child.metadata?.name ?? '').filter((n) => n !== seen[0]?.metadata?.name), resync: resyncAfterSeconds };
  }

  it('asked again within the grace, called back when asking ends (01:02:32)', () => assert.deepEqual(answer({ now: '01:01:00' }), { again: ['nightly-2024-05-01t01-00-00'], resync: 92 }));
  it('asked again at the very instant the status says it was asked for, called back when asking ends', () =>
    assert.deepEqual(answer({ now: '01:00:02' }), { again: ['nightly-2024-05-01t01-00-00'], resync: 150 }));
  it('not while paused', () => assert.deepEqual(answer({ now: '01:01:00', pause: true }).again, []));
  it('not while another Backup of the schedule still runs (a new one would not start either)', () => assert.deepEqual(answer({ now: '01:01:00', running: true }).again, []));
  it('not when the status does not say when it was asked for', () => assert.deepEqual(answer({ now: '01:01:00', askedAt: null }).again, []));
  // The following tick (02:00) has come: the missing last Backup counts as running until 02:05, clear of the quiet
  // window before 03:00, yet nothing says this hook asked for it.
  it('not when the status does not say when it was asked for, after the following tick either', () => assert.deepEqual(answer({ now: '02:01:00', askedAt: null }).again, []));

  it('not before the instant the status says (a replica clock ahead), but called back then', () => {
    const early = answer({ now: '01:00:00' });
    assert.deepEqual(early, { again: [], resync: 2 });
  });
  it('no call-back at that instant when it would not be asked for then (a Backup this hook did not name)', () => {
    const early = answer({ now: '01:00:00', name: 'nightly-by-hand' });
    assert.deepEqual(early.again, []);
    assert.notEqual(early.resync, 2);
  });
});

describe('asking again after the last tick of the calendar', () => {
  // Yearly on 29 December: the 9998 Backup, asked for at 9999-12-29T00:00:10 and missing from the view, counts as running
  // until 00:05:00; at 00:01 no tick follows (the calendar ends), so no quiet window limits asking for it again.
  it('asks for the missing last Backup again, with no next tick to keep clear of', () => {
    const name = 'nightly-9998-12-29t00-00-00';
    const status = { lastBackup: name, lastBackupTime: '9998-12-29T00:00:00Z', lastBackupCreation: { name, time: '9999-12-29T00:00:10Z' } };
    const parent = schedule({ spec: { schedule: '0 0 29 12 *', backupTemplate: BR_TEMPLATE }, status });
    const seen = backup({ slot: '9998-12-28T00:00:00Z' });
    const { children, resyncAfterSeconds } = decide(request(parent, [seen]), { now: Date.parse('9999-12-29T00:01:00Z') }).response;
    assert.deepEqual(children.map((child) => child.metadata?.name), [seen.metadata?.name, name]);
    assert.equal(resyncAfterSeconds, 90); // asking ends at 00:02:30, half the grace before 00:05:00
  });
});

describe('the call-back when a waiting slot is missed (startingDeadlineSeconds)', () => {
  // Every ten minutes; the 00:00 Backup still runs at 00:10:30, so the 00:10 slot waits. With a 120 s deadline it is
  // missed at 00:12:00.001: the answer asks to be called back then (90.001 s), not at the next tick (00:20).
  function resyncOf(c: { deadline?: number; running: boolean }): number | undefined {
    const status = { lastBackup: 'nightly-2024-05-01t00-00-00', lastBackupTime: at('00:00:00') };
    const parent = schedule({ spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, ...(c.deadline === undefined ? {} : { startingDeadlineSeconds: c.deadline }) }, status });
    const children = [backup({ slot: at('00:00:00'), state: c.running ? 'running' : 'complete' })];
    return decide(request(parent, children), { now: Date.parse(at('00:10:30')) }).response.resyncAfterSeconds;
  }
  it('waiting, with a deadline: called back when the slot is missed', () => assert.equal(resyncOf({ deadline: 120, running: true }), 90.001));
  it('waiting, without a deadline: called back at the next tick', () => assert.equal(resyncOf({ running: true }), 570));
  it('created, with a deadline: called back at the next tick', () => assert.equal(resyncOf({ deadline: 120, running: false }), 570));
});
