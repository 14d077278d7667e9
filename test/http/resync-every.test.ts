/**
 * RESYNC_EVERY caps every answer's call-back, so syncs stay regular whatever Metacontroller's own resync does (it
 * raises `resyncPeriodSeconds` to its `--cache-flush-interval`, metacontroller#1136): golden requests answered with
 * the variable unset (5m), off (0s) and 10m.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { loadConfig } from '../../src/config.js';
import type { SyncRequest } from '../../src/core/types.js';
import { testService } from '../support/service.js';

/** The golden request of a case and its instant. */
function golden(name: string): { request: SyncRequest; now: string } {
  const dir = new URL(`../fixtures/sync/${name}/`, import.meta.url);
  const { now } = JSON.parse(readFileSync(new URL('case.json', dir), 'utf8')) as { now: string };
  return { request: JSON.parse(readFileSync(new URL('request.json', dir), 'utf8')) as SyncRequest, now };
}

describe('RESYNC_EVERY', () => {
  // resyncAfterSeconds with RESYNC_EVERY unset, 0s and 10m; the decision's own call-back is the 0s column.
  const cases: Array<{ name: string; what: string; expect: [number | undefined, number | undefined, number | undefined] }> = [
    { name: 'paused-past-starting-deadline-no-hot-loop', what: 'a paused schedule (no call-back of its own)', expect: [300, undefined, 600] },
    { name: 'invalid-spec-bad-cron', what: 'an invalid spec', expect: [300, undefined, 600] },
    { name: 'resync-at-next-expiry', what: 'a call-back 6 h ahead (the next expiry)', expect: [300, 21_600, 600] },
    { name: 'schedule-first-tick-creates', what: 'the next tick 9.5 minutes ahead', expect: [300, 570, 570] },
    { name: 'missing-last-backup-asked-for-a-moment-ahead-is-called-back-then', what: 'a call-back 15 s ahead', expect: [15, 15, 15] },
    { name: 'parent-being-deleted', what: 'a schedule being deleted (nothing to come back for)', expect: [undefined, undefined, undefined] },
  ];
  for (const c of cases) {
    it(`${c.what}: ${c.expect.map((s) => (s === undefined ? 'none' : `${s} s`)).join(', ')}`, async () => {
      const { request, now } = golden(c.name);
      const seen: Array<number | undefined> = [];
      for (const env of [{}, { RESYNC_EVERY: '0s' }, { RESYNC_EVERY: '10m' }]) {
        const service = testService({ now, resyncEveryMs: loadConfig(env).resyncEveryMs });
        seen.push((await service.sync(request)).resyncAfterSeconds);
      }
      assert.deepEqual(seen, c.expect);
    });
  }

  it('changes nothing else in the answer', async () => {
    const { request, now } = golden('resync-at-next-expiry');
    const [capped, uncapped] = await Promise.all(
      [loadConfig({}).resyncEveryMs, 0].map((resyncEveryMs) => testService({ now, resyncEveryMs }).sync(request)),
    );
    assert.deepEqual({ ...capped, resyncAfterSeconds: 0 }, { ...uncapped, resyncAfterSeconds: 0 });
  });
});
