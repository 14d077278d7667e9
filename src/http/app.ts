/** The HTTP adapter: parse → validate the envelope → decide (pure core) → answer JSON. */

import express from 'express';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import onHeaders from 'on-headers';
import type { Logger } from 'pino';

import { DEFAULT_BODY_BYTES_IN_FLIGHT } from '../config.js';
import type { Config } from '../config.js';
import { answerChunks } from '../core/answer-json.js';
import { GROUP_LABEL, customize } from '../core/group.js';
import { decide } from '../core/sync.js';
import type { BackupSchedule } from '../core/types.js';
import type { Decision } from '../core/sync.js';
import { accessLog, syncLogFields } from './access-log.js';
import { bodyBudget, hasBody } from './body-budget.js';
import type { BudgetObserver } from './body-budget.js';
import { rejectDeepNesting } from './nesting.js';
import { compileEnvelopeValidator } from './request-schema.js';

/** Readiness, flipped to false when the process starts shutting down. */
export interface Lifecycle {
  ready: boolean;
}

/** Hooks for metrics; the app works without them. */
export interface SyncObserver extends BudgetObserver {
  /** Called after every decision with the parent's identity and the time it took. */
  onDecision?(decision: Decision, info: { namespace: string; name: string; seconds: number }): void;
}

/** Options of {@link createApp}. */
export interface AppOptions {
  config: Pick<Config, 'bodyLimitBytes' | 'staleViewGraceMs' | 'handoverLabelKey'> & Partial<Pick<Config, 'deletionStuckAfterMs' | 'bodyBytesInFlight' | 'resyncEveryMs'>>;
  /** How long a request waits for room in the body budget (then 503), and an admitted body may take to arrive (then its connection closes); default {@link DEFAULT_ADMISSION_WAIT_MS} each. */
  admission?: { waitMs?: number; arrivalMs?: number };
  logger: Logger;
  /** The clock; the only place the service reads the time. */
  now?: () => number;
  lifecycle?: Lifecycle;
  observer?: SyncObserver;
  /** Middleware mounted before every route (e.g. request metrics). */
  middleware?: RequestHandler[];
  /** Extra routes mounted before the 404 handler (e.g. /metrics). */
  extraRoutes?: (app: express.Express) => void;
  /** The decision function; the pure core by default (tests inject faults here). */
  decide?: typeof decide;
}

/** How long a request waits for room in the body budget, and an admitted body may take to arrive: half Metacontroller's shipped 20 s hook timeout. */
export const DEFAULT_ADMISSION_WAIT_MS = 10_000;

/** createApp builds the express application; it compiles the request schema once. */
export function createApp(options: AppOptions): express.Express {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const lifecycle = options.lifecycle ?? { ready: true };
  const validateEnvelope = compileEnvelopeValidator();
  const decideSync = options.decide ?? decide;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  for (const handler of options.middleware ?? []) app.use(handler);
  app.use(accessLog(logger));
  // While shutting down, answer and close the connection, so keep-alive clients reconnect to a ready replica. Decided
  // as the answer is written, not as the request arrives: a request already in flight at SIGTERM closes its connection
  // too, rather than leave it idle until the shutdown grace is over.
  app.use((_req, res, next) => {
    onHeaders(res, () => {
      if (!lifecycle.ready) res.setHeader('Connection', 'close');
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    res.status(lifecycle.ready ? 200 : 503).json({ status: lifecycle.ready ? 'ready' : 'shutting down' });
  });

  const requireJson: RequestHandler = (req, res, next) => {
    // A request with no body at all (no Content-Length, not chunked: `curl -X POST`) has no media type to check (req.is
    // answers null): it goes on to the envelope check, a 400, not a 415 that names the JSON type it was sent as wrong.
    if (req.is(['application/json', 'application/*+json']) || !hasBody(req.headers)) return next();
    res.status(415).json({ error: `content type must be application/json, not ${req.get('content-type') ?? 'none'}` });
  };
  const admit = bodyBudget({
    budgetBytes: config.bodyBytesInFlight ?? DEFAULT_BODY_BYTES_IN_FLIGHT,
    bodyLimitBytes: config.bodyLimitBytes,
    maxWaitMs: options.admission?.waitMs ?? DEFAULT_ADMISSION_WAIT_MS,
    maxArrivalMs: options.admission?.arrivalMs ?? DEFAULT_ADMISSION_WAIT_MS,
    logger,
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
  const parseJson = express.json({
    limit: config.bodyLimitBytes,
    strict: true,
    type: ['application/json', 'application/*+json'],
    verify: rejectDeepNesting,
  });

  app.post('/sync', requireJson, admit, parseJson, thrownAsErrors((req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const envelope = validateEnvelope(req.body);
    if (!envelope.ok) {
      logger.warn({ problems: envelope.problems }, 'sync request is not a Metacontroller BackupSchedule sync request');
      res.status(400).json({ error: `not a Metacontroller sync request for a pingcap.com/v1alpha1 BackupSchedule: ${envelope.problems.join('; ')}` });
      return;
    }
    const { parent } = envelope.request;
    const decision = decideSync(envelope.request, {
      now: now(),
      staleViewGraceMs: config.staleViewGraceMs,
      handoverLabelKey: config.handoverLabelKey,
      ...(config.deletionStuckAfterMs === undefined ? {} : { deletionStuckAfterMs: config.deletionStuckAfterMs }),
      ...(config.resyncEveryMs === undefined ? {} : { resyncEveryMs: config.resyncEveryMs }),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const namespace = parent.metadata.namespace ?? '';
    const name = parent.metadata.name ?? '';
    try {
      options.observer?.onDecision?.(decision, { namespace, name, seconds });
    } catch (error) {
      // Metrics must never cost an answer: the decision stands, the failure is logged.
      logger.error({ err: error, namespace, name }, 'recording the sync decision failed; the answer is sent anyway');
    }
    logger.info(syncLogFields(decision.report, { namespace, name, seconds }), 'sync');
    // The parsed request is garbage once decided. Held by req until the answer is flushed (16 MB for 24,000 Backups
    // takes a while), it kept some 250 MB per large sync alive, and three concurrent ones exhausted the heap.
    req.body = undefined;
    sendAnswer(res, answerChunks(decision.response));
  }));
  app.post('/customize', requireJson, admit, parseJson, thrownAsErrors((req: Request, res: Response) => {
    const parent = (req.body as { parent?: unknown } | undefined)?.parent;
    if (!isBackupSchedule(parent)) {
      logger.warn({ path: req.path }, 'customize request is not about a Metacontroller BackupSchedule');
      res.status(400).json({ error: 'not a Metacontroller customize request for a pingcap.com/v1alpha1 BackupSchedule: /parent must be a BackupSchedule with metadata' });
      return;
    }
    const answer = customize(parent);
    const group = parent.metadata.labels?.[GROUP_LABEL] ?? null;
    logger.debug({ namespace: parent.metadata.namespace ?? '', name: parent.metadata.name ?? '', group, related: answer.relatedResources.length }, 'customize');
    res.json(answer);
  }));
  app.all('/sync', methodNotAllowed('POST'));
  app.all('/customize', methodNotAllowed('POST'));
  app.all('/healthz', methodNotAllowed('GET'));
  app.all('/readyz', methodNotAllowed('GET'));

  options.extraRoutes?.(app);
  app.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}; the hook serves POST /sync, POST /customize, GET /healthz, GET /readyz and GET /metrics` });
  });
  app.use(errorHandler(logger, config.bodyLimitBytes));
  return app;
}

function isBackupSchedule(value: unknown): value is BackupSchedule {
  if (typeof value !== 'object' || value === null) return false;
  const parent = value as BackupSchedule;
  return parent.apiVersion === 'pingcap.com/v1alpha1' && parent.kind === 'BackupSchedule' && typeof parent.metadata === 'object' && parent.metadata !== null;
}

/**
 * thrownAsErrors passes whatever a route's handler throws on to the error handler as an Error: Express takes a falsy
 * value (`throw null`) for no error and would go on to the next route (a 405), not answer the 500 it is.
 */
function thrownAsErrors(handler: (req: Request, res: Response) => void): RequestHandler {
  return (req, res, next) => {
    try {
      handler(req, res);
    } catch (error) {
      next(error || new Error(`the hook threw ${String(error)}`));
    }
  };
}

/** methodNotAllowed answers 405 with the allowed method. */
export function methodNotAllowed(allow: string): RequestHandler {
  return (req, res) => {
    res.set('Allow', allow === 'GET' ? 'GET, HEAD' : allow).status(405).json({ error: `${req.method} is not allowed on ${req.path}; use ${allow}` });
  };
}

/** Body-parser error types and the status each one answers with. */
const CLIENT_ERRORS: Readonly<Record<string, number>> = {
  'entity.parse.failed': 400,
  'request.size.invalid': 400,
  'entity.verify.failed': 400,
  'entity.too.large': 413,
  'entity.too.deep': 400,
  'charset.unsupported': 415,
  'encoding.unsupported': 415,
};

function errorHandler(logger: Logger, bodyLimitBytes: number): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
    if (type === 'request.aborted') {
      // The client closed the connection before its body was read: nobody is left to answer, so nothing is written and
      // the request counts as aborted, as on every Node version (Node 20 and 22 reported a 400 written to the closed
      // socket as finished, Node 24 does not).
      logger.warn({ type, path: req.path }, 'client went away before sending its whole body; nothing answered');
      return;
    }
    const status = (typeof type === 'string' ? CLIENT_ERRORS[type] : undefined) ?? clientErrorStatus(error);
    if (status !== undefined) {
      logger.warn({ type, path: req.path, reason: (error as Error).message }, 'rejected sync request body');
      res.status(status).json({ error: clientMessage(String(type), { error, bodyLimitBytes }) });
      return;
    }
    logger.error({ err: error, path: req.path }, 'sync failed with an unexpected error');
    if (res.headersSent) return;
    res.status(500).json({ error: 'internal error in the hook; nothing was changed, Metacontroller will retry; see the hook logs' });
  };
}

/** clientErrorStatus is the 4xx status of an error body-parser marked as the client's (e.g. a corrupt gzip body), else undefined. */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : undefined;
}

function clientMessage(type: string, facts: { error: unknown; bodyLimitBytes: number }): string {
  switch (type) {
    case 'entity.too.large':
      return `request body is larger than the limit of ${facts.bodyLimitBytes} bytes; raise BODY_LIMIT_BYTES`;
    case 'entity.parse.failed':
      return `request body is not a JSON object: ${(facts.error as Error).message}`;
    case 'entity.too.deep':
      return (facts.error as Error).message;
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return `request body encoding is not supported: ${(facts.error as Error).message}`;
    default:
      return `request body could not be read: ${(facts.error as Error).message}`;
  }
}

/**
 * sendAnswer sends the answer's chunks as res.json would send their text (same headers), without joining them: one
 * string of a large answer costs fresh pages (core/answer-json.ts). Each chunk is encoded once, which also gives the
 * length; corked, so the socket gets them in one write.
 */
function sendAnswer(res: Response, chunks: readonly string[]): void {
  const buffers = chunks.map((chunk) => Buffer.from(chunk, 'utf8'));
  let length = 0;
  for (const buffer of buffers) length += buffer.length;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', length);
  res.cork();
  for (const buffer of buffers) res.write(buffer);
  res.end();
}
