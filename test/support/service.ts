/** An in-process hook with metrics and a settable clock, for tests that sync and then scrape. */

import type { Express } from 'express';
import { pino } from 'pino';
import type { Logger } from 'pino';
import request from 'supertest';

import type { SyncRequest, SyncResponse } from '../../src/core/types.js';
import { createApp } from '../../src/http/app.js';
import { createMetrics, withMetrics } from '../../src/metrics/registry.js';
import { BR_TEMPLATE, LOG_TEMPLATE, backup, logBackup, request as syncRequest, schedule } from './objects.js';
import { parseExposition } from './scrape.js';
import type { Sample } from './scrape.js';

/** Options of {@link testService}. */
export interface TestServiceOptions {
  /** The starting instant (RFC 3339). */
  now: string;
  scheduleTtlMs?: number;
  bodyLimitBytes?: number;
  handoverLabelKey?: string;
  /** DELETION_STUCK_AFTER in ms; the core's default when absent. */
  deletionStuckAfterMs?: number;
  /** BODY_BYTES_IN_FLIGHT; the app's default when absent. */
  bodyBytesInFlight?: number;
  /** RESYNC_EVERY in ms; none (only the decision's call-backs) when absent. */
  resyncEveryMs?: number;
  /** How long a request waits for room in the body budget; the app's default when absent. */
  admissionWaitMs?: number;
  logger?: Logger;
}

/** A hook app under test: post syncs, move the clock, scrape /metrics. */
export interface TestService {
  app: Express;
  clock: { now: number };
  /** Posts a sync request and expects a 200. */
  sync(body: SyncRequest): Promise<SyncResponse>;
  /** GET /metrics, parsed. */
  scrape(): Promise<Sample[]>;
  /** What the metrics registry holds between scrapes (no scrape, so no expiry on the way), parsed. */
  held(): Promise<Sample[]>;
}

/** testService builds the app as main.ts does, with its own Registry and a clock the test moves. */
export function testService(options: TestServiceOptions): TestService {
  const clock = { now: Date.parse(options.now) };
  const now = (): number => clock.now;
  const metrics = createMetrics({ scheduleTtlMs: options.scheduleTtlMs ?? 3_600_000, now });
  const config = {
    bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024 * 1024,
    staleViewGraceMs: 5 * 60_000,
    handoverLabelKey: options.handoverLabelKey ?? 'backup-schedule-hook/controller',
    ...(options.deletionStuckAfterMs === undefined ? {} : { deletionStuckAfterMs: options.deletionStuckAfterMs }),
    ...(options.bodyBytesInFlight === undefined ? {} : { bodyBytesInFlight: options.bodyBytesInFlight }),
    ...(options.resyncEveryMs === undefined ? {} : { resyncEveryMs: options.resyncEveryMs }),
  };
  const admission = options.admissionWaitMs === undefined ? {} : { admission: { waitMs: options.admissionWaitMs } };
  const app = createApp({ config, logger: options.logger ?? pino({ level: 'silent' }), now, ...admission, ...withMetrics(metrics) });
  return {
    app,
    clock,
    async sync(body) {
      return (await request(app).post('/sync').send(body).expect(200)).body as SyncResponse;
    },
    async scrape() {
      const res = await request(app).get('/metrics').expect(200);
      return parseExposition(res.text);
    },
    async held() {
      return parseExposition(await metrics.registry.metrics());
    },
  };
}

/** A scrape's text and its parsed samples. */
export interface RealScrape {
  text: string;
  samples: Sample[];
}

/**
 * scrapeAfterRealSyncs scrapes a fresh hook (createApp + withMetrics, no process metrics mocked) after what
 * Metacontroller sends it: a sync that creates a Backup and sees a completed one and a running log Backup
 * (every per-schedule series set), a sync whose body is not JSON (400) and one with another content type (415).
 */
export async function scrapeAfterRealSyncs(): Promise<RealScrape> {
  const service = testService({ now: '2024-05-01T04:05:00Z' });
  const spec = { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE, logBackupTemplate: LOG_TEMPLATE };
  const status = { logBackup: 'log-nightly', logBackupStartTs: '2024-05-01T02:00:00Z', observedGeneration: 1 };
  const log = logBackup({ start: '2024-05-01T02:00:00Z', checkpoint: '2024-05-01T04:04:00Z' });
  await service.sync(syncRequest(schedule({ spec, status }), [backup({ slot: '2024-05-01T03:50:00Z' }), log]));
  await request(service.app).post('/sync').set('Content-Type', 'application/json').send('{"parent":').expect(400);
  await request(service.app).post('/sync').set('Content-Type', 'text/plain').send('parent').expect(415);
  const text = (await request(service.app).get('/metrics').expect(200)).text;
  return { text, samples: parseExposition(text) };
}
