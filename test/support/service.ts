/** An in-process hook with metrics and a settable clock, for tests that sync and then scrape. */

import type { Express } from 'express';
import { pino } from 'pino';
import type { Logger } from 'pino';
import request from 'supertest';

import type { SyncRequest, SyncResponse } from '../../src/core/types.js';
import { createApp } from '../../src/http/app.js';
import { createMetrics, withMetrics } from '../../src/metrics/registry.js';
import { parseExposition } from './scrape.js';
import type { Sample } from './scrape.js';

/** Options of {@link testService}. */
export interface TestServiceOptions {
  /** The starting instant (RFC 3339). */
  now: string;
  scheduleTtlMs?: number;
  bodyLimitBytes?: number;
  handoverLabelKey?: string;
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
  };
  const app = createApp({ config, logger: options.logger ?? pino({ level: 'silent' }), now, ...withMetrics(metrics) });
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
  };
}
