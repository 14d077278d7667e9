/**
 * What the check of broken windows (spec-fix.ts) reads the run with: when the hook surely knows a change across
 * outages (known-by.ts), and the spans of specs it cannot run, from the stored versions (spec-timeline.ts).
 */

import assert from 'node:assert/strict';

import type { BackupSchedule, JsonObject } from '../../src/core/types.js';
import { firstAnswerFrom, knownBy } from '../../src/sim/invariants/known-by.js';
import type { Outage } from '../../src/sim/invariants/known-by.js';
import { scheduleSetAt, spanAt, specTimelineOf } from '../../src/sim/invariants/spec-timeline.js';

const SPEC: JsonObject = { schedule: '0 */4 * * *', backupTemplate: { backupType: 'full', br: { cluster: 'basic' }, s3: { bucket: 'b', prefix: 'p' } } };

/** A stored version of `nightly` at `at`, its spec the base one patched; every version its own generation. */
function version(at: number, patch: JsonObject): { at: number; parent: BackupSchedule } {
  const parent = { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: 'nightly', namespace: 'db', generation: at }, spec: { ...SPEC, ...patch } };
  return { at, parent: parent as BackupSchedule };
}

describe('sim: what the check of broken windows reads', () => {
  const facts = (outages: Outage[]) => ({ outages, knownMs: 10 });

  it('knows a change a lag and a call after it, or after the outages that overlap that time and their retries', () => {
    assert.equal(knownBy(100, facts([])), 110);
    assert.equal(knownBy(100, facts([{ from: 0, to: 99, retryMs: 1000, certain: true }])), 110, 'an outage over before the change delays nothing');
    assert.equal(knownBy(100, facts([{ from: 105, to: 200, retryMs: 50, certain: false }])), 260);
    // The second outage begins before the first one's retry is known: both delay it (listed in any order).
    const chained = [{ from: 255, to: 300, retryMs: 0, certain: true }, { from: 105, to: 200, retryMs: 50, certain: true }];
    assert.equal(knownBy(100, facts(chained)), 310);
  });

  it('answers a change no sooner than the end of the outages in which no sync is answered', () => {
    const outages = [{ from: 150, to: 300, retryMs: 0, certain: true }, { from: 50, to: 200, retryMs: 0, certain: true }, { from: 300, to: 400, retryMs: 0, certain: false }];
    assert.equal(firstAnswerFrom(100, outages), 300, 'a rate below 1 may answer');
    assert.equal(firstAnswerFrom(40, outages), 40);
  });

  it('reads one span from the first spec it cannot run to the next normal one, its pauses, and the edits before it', () => {
    const timeline = specTimelineOf([
      version(0, {}),
      version(10, { schedule: '30 */4 * * *' }), // an edit
      version(20, { schedule: '30 */4 * * *', pause: true }),
      version(30, { schedule: '30 */4 * * *', pause: true, timeZone: 'Europe/Berln' }), // broken while paused
      version(40, { schedule: '30 */4 * * *', pause: false, timeZone: 'Europe/Berln' }), // unpaused, still broken
      version(50, { schedule: '30 */4 * * *', maxReservedTime: '2d', timeZone: 'Europe/Berln' }), // a second mistake over the first
      version(60, { schedule: '30 */4 * * *' }), // fixed
      version(70, { schedule: '30 */4 * * *', pause: true }),
    ]);
    const span = spanAt(timeline, 35);
    assert.ok(span !== null);
    assert.equal(spanAt(timeline, 55), span, 'overlapping mistakes are one span');
    assert.equal(spanAt(timeline, 65), null);
    assert.deepEqual([span.first.at, span.after?.at, span.before?.normalFrom], [20, 60, 0]);
    assert.deepEqual(span.paused, [{ from: 20, to: 40 }]);
    assert.deepEqual([...span.schedules], ['30 */4 * * *\nUTC'], 'the paused valid spec is one the hook reads');
    assert.deepEqual(scheduleSetAt(timeline, 15), { at: 10, edited: true });
    assert.deepEqual(scheduleSetAt(timeline, 5), { at: 0, edited: false });
    assert.equal(spanAt(timeline, 75)?.after, null, 'a span still open at the end has no spec after it');
  });
});
