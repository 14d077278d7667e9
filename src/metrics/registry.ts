/** The service's metrics: one prom-client Registry per app (no global state), served at GET /metrics. */

import type { RequestHandler } from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';

import { methodNotAllowed } from '../http/app.js';
import type { AppOptions, SyncObserver } from '../http/app.js';
import { admissionMetrics } from './admission.js';
import { requestMetrics } from './requests.js';
import { scheduleMetrics } from './schedules.js';

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** SCHEDULE_METRICS_TTL: a schedule not synced for this long loses its series (ms). */
  scheduleTtlMs: number;
  /** The clock (epoch ms); the app's clock. */
  now: () => number;
  /** Also export Node.js process metrics (default true). */
  processMetrics?: boolean;
}

/** Everything the app needs to record and serve its metrics. */
export interface Metrics {
  registry: Registry;
  /** Records each sync decision into the per-schedule series, and the body budget's state and waits. */
  observer: SyncObserver;
  /** Records every request's route, code, latency and body size; mount it before every route. */
  middleware: RequestHandler;
  /** GET /metrics: expires schedules past their TTL, then answers the text exposition format. */
  handler: RequestHandler;
}

/** createMetrics builds a fresh Registry with the hook's, the body budget's, the schedules' and the process metrics. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const schedules = scheduleMetrics(registry, { ttlMs: options.scheduleTtlMs, now: options.now });
  const admission = admissionMetrics(registry);
  const handler: RequestHandler = (_req, res, next) => {
    schedules.expire();
    registry.metrics().then((text) => res.type(registry.contentType).send(text), next);
  };
  return {
    registry,
    observer: { onDecision: (decision, { namespace, name }) => schedules.record(decision, { namespace, name }), ...admission },
    middleware: requestMetrics(registry),
    handler,
  };
}

/** withMetrics returns the createApp options that record the metrics and serve GET /metrics. */
export function withMetrics(metrics: Metrics): Required<Pick<AppOptions, 'observer' | 'middleware' | 'extraRoutes'>> {
  return {
    observer: metrics.observer,
    middleware: [metrics.middleware],
    extraRoutes: (app) => {
      app.get('/metrics', metrics.handler);
      app.all('/metrics', methodNotAllowed('GET'));
    },
  };
}
