/** Hook RED metrics: requests by route and status code, latency, request body size, requests in flight. */

import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** Latency buckets (seconds): resolve 0.5 ms syncs as well as 10 s ones near Metacontroller's timeout. */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Body size buckets (bytes): 1 KiB to 256 MiB in steps of 4×. */
export const BODY_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144].map((k) => k * 1024);
/** The routes the hook serves; anything else is counted as `other` to keep the label bounded. */
const ROUTES = new Set(['/sync', '/customize', '/healthz', '/readyz', '/metrics']);

/** routeOf names the route label of a request path, matched as express routes it: any case, one trailing slash allowed. */
export function routeOf(path: string): string {
  const route = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();
  return ROUTES.has(route) ? route : 'other';
}

/** requestMetrics registers the RED metrics in `registry` and returns the middleware that records them. */
export function requestMetrics(registry: Registry): RequestHandler {
  const registers = [registry];
  const requests = new Counter({
    name: 'backup_schedule_hook_requests_total',
    help: 'HTTP requests answered, by route and status code ("aborted" when the connection closed before the answer was written).',
    labelNames: ['route', 'code'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'backup_schedule_hook_request_duration_seconds',
    help: 'Time from receiving a request to the end of its answer, body reading included, by route.',
    labelNames: ['route'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const bodyBytes = new Histogram({
    name: 'backup_schedule_hook_request_body_bytes',
    help: 'Declared size (Content-Length) of request bodies, by route.',
    labelNames: ['route'] as const,
    buckets: BODY_BUCKETS,
    registers,
  });
  const inFlight = new Gauge({
    name: 'backup_schedule_hook_in_flight_requests',
    help: 'Requests received and not yet answered, this one included when scraping.',
    registers,
  });
  return (req, res, next) => {
    const route = routeOf(req.path);
    const stop = duration.startTimer({ route });
    inFlight.inc();
    const length = Number(req.get('content-length'));
    if (req.get('content-length') !== undefined && Number.isSafeInteger(length) && length >= 0) bodyBytes.observe({ route }, length);
    res.once('close', () => {
      inFlight.dec();
      stop();
      requests.inc({ route, code: res.writableFinished ? String(res.statusCode) : 'aborted' });
    });
    next();
  };
}
