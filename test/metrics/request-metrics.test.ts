/** Hook RED metrics: requests by route and code, latency and body size histograms, requests in flight. */

import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { connect } from 'node:net';

import request from 'supertest';

import { DURATION_BUCKETS } from '../../src/metrics/requests.js';
import { BR_TEMPLATE, request as syncRequest, schedule } from '../support/objects.js';
import { scrapeUntil, valueOf } from '../support/scrape.js';
import type { Sample } from '../support/scrape.js';
import { testService } from '../support/service.js';
import { startSlowPost } from '../support/slow-request.js';
import type { SlowRequest } from '../support/slow-request.js';

const NOW = '2024-05-01T04:05:00Z';
const body = JSON.stringify(syncRequest(schedule({ spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE } })));

describe('hook request metrics at /metrics', () => {
  it('counts every answer by route and status code, with latency and body size', async () => {
    const service = testService({ now: NOW, bodyLimitBytes: 2048 });
    const app = service.app;
    await request(app).post('/sync').set('content-type', 'application/json').send(body).expect(200);
    await request(app).post('/SYNC/').set('content-type', 'application/json').send(body).expect(200); // served as /sync: counted as /sync
    await request(app).post('/sync').set('content-type', 'text/plain').send('hello').expect(415);
    await request(app).post('/sync').set('content-type', 'application/json').send(`{"pad":"${'x'.repeat(4000)}"}`).expect(413);
    await request(app).get('/sync').expect(405);
    await request(app).get('/healthz').expect(200);
    await request(app).get('/no/such/path').expect(404);
    await request(app).get('/elsewhere').expect(404);
    const samples = await service.scrape();

    const count = (route: string, code: string): number | undefined =>
      valueOf(samples, 'backup_schedule_hook_requests_total', { route, code });
    assert.deepEqual(
      { ok: count('/sync', '200'), media: count('/sync', '415'), large: count('/sync', '413'), method: count('/sync', '405') },
      { ok: 2, media: 1, large: 1, method: 1 },
    );
    assert.equal(count('/healthz', '200'), 1);
    assert.equal(count('other', '404'), 2, 'unknown paths share one label value');
    assert.equal(valueOf(samples, 'backup_schedule_hook_request_duration_seconds_count', { route: '/sync' }), 5);
    const le = samples
      .filter((s) => s.name === 'backup_schedule_hook_request_duration_seconds_bucket' && s.labels['route'] === '/sync')
      .map((s) => s.labels['le']);
    assert.deepEqual(le, [...DURATION_BUCKETS.map(String), '+Inf']);
    assert.equal(DURATION_BUCKETS[0], 0.0005);
    assert.equal(DURATION_BUCKETS.at(-1), 10);
    const sizes = [body, body, 'hello', `{"pad":"${'x'.repeat(4000)}"}`].map((b) => Buffer.byteLength(b));
    assert.equal(valueOf(samples, 'backup_schedule_hook_request_body_bytes_sum', { route: '/sync' }), sizes.reduce((a, b) => a + b));
    assert.equal(valueOf(samples, 'backup_schedule_hook_request_body_bytes_count', { route: '/sync' }), 4);
  });

  it('records a declared body size of 0, and none for a Content-Length past 2^53 (no exact size to record)', async () => {
    const server = testService({ now: NOW }).app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    try {
      for (const length of ['0', '9007199254740993']) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.resume();
        await once(socket, 'connect');
        socket.end(`POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`); // no body follows
        await once(socket, 'close');
      }
      const counted = (s: Sample[]): number => s.filter((x) => x.name === 'backup_schedule_hook_requests_total' && x.labels['route'] === '/sync').reduce((a, x) => a + x.value, 0);
      const samples = await scrapeUntil(port, (s) => counted(s) === 2);
      assert.deepEqual(
        ['sum', 'count'].map((what) => valueOf(samples, `backup_schedule_hook_request_body_bytes_${what}`, { route: '/sync' })),
        [0, 1],
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  describe('over a real connection', () => {
    let server: Server;
    let port: number;
    before(async () => {
      server = testService({ now: NOW }).app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as AddressInfo).port;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    const startSync = (): SlowRequest => startSlowPost({ port, path: '/sync' }, { body });

    const inFlight = (samples: Sample[]): number | undefined => valueOf(samples, 'backup_schedule_hook_in_flight_requests');

    it('counts requests in flight, the scrape included, until they are answered', async () => {
      const slow = [startSync(), startSync()];
      await scrapeUntil(port, (s) => inFlight(s) === 3);
      for (const request of slow) request.finish();
      const answers = await Promise.all(slow.map((s) => s.answer));
      assert.deepEqual(answers.map((a) => a.status), [200, 200]);
      const samples = await scrapeUntil(port, (s) => inFlight(s) === 1);
      assert.equal(valueOf(samples, 'backup_schedule_hook_requests_total', { route: '/sync', code: '200' }), 2);
    });

    it('takes a request whose client went away mid-body out of flight and counts it as aborted, not as an answer', async () => {
      const slow = startSync();
      slow.answer.catch(() => undefined);
      await scrapeUntil(port, (s) => inFlight(s) === 2);
      slow.abort();
      const samples = await scrapeUntil(port, (s) => inFlight(s) === 1);
      assert.equal(valueOf(samples, 'backup_schedule_hook_requests_total', { route: '/sync', code: 'aborted' }), 1);
      assert.equal(valueOf(samples, 'backup_schedule_hook_requests_total', { route: '/sync', code: '400' }), undefined);
    });
  });
});
