/** Logs: one line per sync decision at info, other requests at debug; probes and scrapes are never logged per request. */

import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

import type { SyncReport } from '../core/sync.js';
import { formatTime } from '../core/time.js';

/** Paths polled by kubelet and Prometheus: logging them would drown the sync lines. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** accessLog logs each request except probes and scrapes at debug: method, path, code, duration, never the body. */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (QUIET_PATHS.has(req.path) || !logger.isLevelEnabled('debug')) return next();
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3;
      const status = res.writableFinished ? res.statusCode : 'aborted';
      const length = req.get('content-length');
      logger.debug({ method: req.method, path: req.path, status, bytes: length === undefined ? undefined : Number(length), durationMs }, 'request');
    });
    next();
  };
}

/** describeDecision says what a sync did in a few words: "created", "waited", "idle", "deleted 2", "invalid", "created, deleted 1". */
export function describeDecision(report: SyncReport): string {
  const words: Record<SyncReport['outcome'], string> = {
    created: 'created',
    waiting: 'waited',
    idle: 'idle',
    paused: 'paused',
    invalid: 'invalid',
    'parent-deleting': 'parent deleting',
  };
  const deleted = report.deletions.length;
  if (deleted === 0) return words[report.outcome];
  return report.outcome === 'idle' ? `deleted ${deleted}` : `${words[report.outcome]}, deleted ${deleted}`;
}

/** syncLogFields are the fields of the one info line per sync: who, what was decided, how long it took. */
export function syncLogFields(report: SyncReport, facts: { namespace: string; name: string; seconds: number }): Record<string, unknown> {
  return {
    namespace: facts.namespace,
    name: facts.name,
    decision: describeDecision(report),
    outcome: report.outcome,
    created: report.created ?? undefined,
    askedAgain: report.askedAgain ?? undefined,
    deleted: report.deletions.length,
    deletions: report.deletions.length > 0 ? report.deletions : undefined,
    deferredDeletions: report.deferredDeletions > 0 ? report.deferredDeletions : undefined,
    problems: report.problems.length > 0 ? report.problems : undefined,
    stuck: report.stuck.length > 0 ? report.stuck : undefined,
    deletionStuck: report.deletionStuck.length > 0 ? report.deletionStuck : undefined,
    missed: report.missed === null ? undefined : { slot: formatTime(report.missed.slot), cause: report.missed.cause },
    compaction: report.compaction ?? undefined,
    durationMs: Math.round(facts.seconds * 1e6) / 1e3,
  };
}
