/** Body budget metrics (BODY_BYTES_IN_FLIGHT): what is read at once, who waits, and how each wait ends. */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { WAIT_BUCKETS } from '../../src/metrics/admission.js';
import { BR_TEMPLATE, backup, request as syncRequest, schedule } from '../support/objects.js';
import { scrape, scrapeUntil, valueOf } from '../support/scrape.js';
import type { Sample } from '../support/scrape.js';
import { testService } from '../support/service.js';
import { startSlowPost } from '../support/slow-request.js';

const body = JSON.stringify(syncRequest(schedule({ spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE } }), [backup({ slot: '2024-05-01T03:50:00Z' })]));
const BYTES = Buffer.byteLength(body);
/** Room for one body: a second one waits. */
const BUDGET = BYTES + 100;

const inFlight = (s: Sample[]): number | undefined => valueOf(s, 'backup_schedule_hook_body_bytes_in_flight');
const waiting = (s: Sample[]): number | undefined => valueOf(s, 'backup_schedule_hook_body_budget_waiting_requests');
const waits = (s: Sample[], outcome: string): number => valueOf(s, 'backup_schedule_hook_body_budget_wait_seconds_count', { outcome }) ?? 0;

/** A hook with metrics on loopback whose body budget holds one request at a time. */
async function withHook(options: { admissionWaitMs?: number }, test: (port: number) => Promise<void>): Promise<void> {
  const service = testService({ now: '2024-05-01T04:05:00Z', bodyBytesInFlight: BUDGET, ...options });
  const server: Server = service.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await test((server.address() as AddressInfo).port);
  } finally {
    server.close();
  }
}

describe('body budget metrics at /metrics', function () {
  this.timeout(20_000);

  it('shows the budget, the bytes in flight and the requests waiting, and counts a wait that ends admitted', () =>
    withHook({}, async (port) => {
      const idle = await scrape(port);
      assert.deepEqual(
        [valueOf(idle, 'backup_schedule_hook_body_budget_bytes'), inFlight(idle), waiting(idle), waits(idle, 'admitted')],
        [BUDGET, 0, 0, 0],
      );
      const first = startSlowPost({ port, path: '/sync' }, { body });
      await scrapeUntil(port, (s) => inFlight(s) === BYTES);
      const second = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
      const busy = await scrapeUntil(port, (s) => waiting(s) === 1);
      assert.equal(inFlight(busy), BYTES, 'the waiting body is not counted: it is still unread');
      first.finish();
      assert.deepEqual([(await first.answer).status, (await second.answer).status], [200, 200]);
      const after = await scrapeUntil(port, (s) => inFlight(s) === 0);
      assert.deepEqual([waiting(after), waits(after, 'admitted'), waits(after, 'refused'), waits(after, 'gone')], [0, 1, 0, 0]);
      const le = after
        .filter((s) => s.name === 'backup_schedule_hook_body_budget_wait_seconds_bucket' && s.labels['outcome'] === 'admitted')
        .map((s) => s.labels['le']);
      assert.deepEqual(le, [...WAIT_BUCKETS.map(String), '+Inf']);
    }));

  it('counts a wait that ends in 503 as refused, with the time it waited', () =>
    withHook({ admissionWaitMs: 50 }, async (port) => {
      const first = startSlowPost({ port, path: '/sync' }, { body });
      await scrapeUntil(port, (s) => inFlight(s) === BYTES);
      const refused = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
      assert.equal((await refused.answer).status, 503);
      const after = await scrape(port);
      first.finish();
      assert.equal((await first.answer).status, 200);
      assert.deepEqual([waits(after, 'refused'), waits(after, 'gone'), waits(after, 'admitted'), waiting(after)], [1, 0, 0, 0]);
      const waited = valueOf(after, 'backup_schedule_hook_body_budget_wait_seconds_sum', { outcome: 'refused' }) ?? 0;
      assert.ok(waited >= 0.04 && waited < 5, `the refused request waited its 50 ms, in seconds: ${waited}`);
    }));

  it('counts a wait whose client leaves as gone, and no longer shows it waiting', () =>
    withHook({}, async (port) => {
      const first = startSlowPost({ port, path: '/sync' }, { body });
      await scrapeUntil(port, (s) => inFlight(s) === BYTES);
      const leaving = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
      await scrapeUntil(port, (s) => waiting(s) === 1);
      leaving.abort();
      await leaving.answer.catch(() => undefined);
      const after = await scrapeUntil(port, (s) => waiting(s) === 0);
      first.finish();
      assert.equal((await first.answer).status, 200);
      assert.deepEqual([waits(after, 'gone'), waits(after, 'refused'), waits(after, 'admitted'), inFlight(after)], [1, 0, 0, BYTES]);
    }));
});
