/**
 * Admission by body size: a request's body is read only while the bodies of the requests in flight, its own included,
 * fit a budget of bytes. A sync request takes about six times its size in memory while it is parsed and decided (a 60 MiB
 * body: 428 MB peak RSS), so a few of the largest at once exhaust the heap, and the process dies with every sync in flight. A request that
 * does not fit waits, its body still in the socket, until others are answered; one that waits too long gets 503 with
 * Retry-After, which Metacontroller retries. Waiting costs no heap.
 */

import type { Request, RequestHandler, Response } from 'express';
import onHeaders from 'on-headers';
import type { Logger } from 'pino';

/** Options of {@link bodyBudget}. */
export interface BodyBudgetOptions {
  /** Bytes of bodies read at once. A request larger than this alone is still read when nothing else is in flight. */
  budgetBytes: number;
  /** BODY_LIMIT_BYTES: a body of unknown size (chunked, or compressed: it may inflate) counts as this much; one declared larger is refused (413: read and thrown away, never held), so it counts as nothing. */
  bodyLimitBytes: number;
  /** How long a request waits for room before it is answered 503. */
  maxWaitMs: number;
  /** How long an admitted body may take to arrive before its connection is closed (Metacontroller sends it at once). */
  maxArrivalMs: number;
  logger: Logger;
  /** Told of every change, for metrics; the budget works without it. */
  observer?: BudgetObserver;
}

/** What the budget holds at a moment: the bytes of admitted bodies not yet answered, and the requests waiting for room. */
export interface BudgetState {
  budgetBytes: number;
  bytesInFlight: number;
  waiting: number;
}

/** How a request's wait for room ended: let in, answered 503, or its client went away. */
export type WaitOutcome = 'admitted' | 'refused' | 'gone';

/** Hooks for metrics; a hook that throws is logged and the request goes on. */
export interface BudgetObserver {
  /** Called at start and after every admission, release, wait and leave. */
  onBudgetState?(state: BudgetState): void;
  /** Called when a request stops waiting for room, with how long it waited. */
  onBudgetWait?(outcome: WaitOutcome, seconds: number): void;
}

/** A request waiting for room. */
interface Waiter {
  bytes: number;
  admit(): void;
}

/** Seconds Metacontroller is asked to wait before it retries a request answered 503. */
const RETRY_AFTER_SECONDS = 1;

/**
 * bodyBudget returns middleware that admits requests first come, first served, while their bodies fit the budget. An
 * admitted request holds its room until its answer is written (it is decided by then) or its connection goes,
 * whichever comes first, and for no more than `maxArrivalMs` while its body arrives: a client that stalls a body, or
 * never reads its answer, cannot keep others waiting.
 */
export function bodyBudget(options: BodyBudgetOptions): RequestHandler {
  const { budgetBytes, logger, observer } = options;
  let inFlightBytes = 0;
  let inFlight = 0;
  const queue: Waiter[] = [];
  // Metrics must never cost an answer: a failing hook is logged and the request goes on.
  const tell = (what: string, call: (o: BudgetObserver) => void): void => {
    if (observer === undefined) return;
    try {
      call(observer);
    } catch (error) {
      logger.error({ err: error }, `recording the body budget's ${what} failed; requests go on`);
    }
  };
  const report = (): void => tell('state', (o) => o.onBudgetState?.({ budgetBytes, bytesInFlight: inFlightBytes, waiting: queue.length }));
  const waited = (outcome: WaitOutcome, since: number): void => tell('wait', (o) => o.onBudgetWait?.(outcome, (Date.now() - since) / 1000));
  report();

  const fits = (bytes: number): boolean => inFlight === 0 || inFlightBytes + bytes <= budgetBytes;
  // First come, first served: a large body at the head is not overtaken by small ones behind it.
  const admitWaiters = (): void => {
    while (queue.length > 0 && fits(queue[0]?.bytes ?? 0)) queue.shift()?.admit();
  };
  const take = (bytes: number, req: Request, res: Response): void => {
    inFlight += 1;
    inFlightBytes += bytes;
    report();
    const { socket } = req;
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      clearTimeout(arrival);
      res.off('close', release);
      socket.off('close', release);
      inFlight -= 1;
      inFlightBytes -= bytes;
      admitWaiters();
      report();
    };
    const arrival = setTimeout(() => {
      logger.warn({ path: req.path, bytes, arrivalMs: options.maxArrivalMs }, 'request body too slow: connection closed');
      release(); // before the socket goes: a waiter due in the same turn finds the room
      socket.destroy();
    }, options.maxArrivalMs);
    req.once('end', () => clearTimeout(arrival));
    // Held until the answer's headers are written (the request is decided by then; a compressed body's stream ends
    // before it is parsed), or the connection goes (a pipelined request's response never gets its own close; a
    // response's close before its headers comes from its socket's, in the same emit: a defence; docs/testing.md).
    onHeaders(res, release);
    res.once('close', release);
    socket.once('close', release);
  };

  return (req, res, next) => {
    const bytes = bytesToRead(req.headers, options.bodyLimitBytes);
    if (queue.length === 0 && fits(bytes)) {
      take(bytes, req, res);
      next();
      return;
    }
    const waitedFrom = Date.now();
    logger.debug({ path: req.path, bytes, inFlightBytes, budgetBytes, waiting: queue.length + 1 }, 'request waits for room in the body budget');
    let waiting = true;
    const leave = (): void => {
      if (!waiting) return;
      waiting = false;
      clearTimeout(timer);
      const at = queue.indexOf(waiter);
      if (at >= 0) queue.splice(at, 1);
      admitWaiters(); // those behind it may fit now
      report();
    };
    const waiter: Waiter = {
      bytes,
      admit() {
        waiting = false;
        clearTimeout(timer);
        if (req.socket.closed) {
          // Room came as its own connection dropped (a pipelined request: its close comes a tick later). Nothing can
          // read its body or take its answer: it takes no room and is not passed on.
          waited('gone', waitedFrom);
          return;
        }
        logger.debug({ path: req.path, bytes, waitedMs: Date.now() - waitedFrom }, 'request admitted after waiting for room');
        waited('admitted', waitedFrom);
        take(bytes, req, res);
        next();
      },
    };
    const timer = setTimeout(() => {
      leave();
      waited('refused', waitedFrom);
      logger.warn({ path: req.path, bytes, inFlightBytes, budgetBytes, waitedMs: Date.now() - waitedFrom }, 'request refused: no room in the body budget');
      res
        .status(503)
        .set('Retry-After', String(RETRY_AFTER_SECONDS))
        .json({
          error:
            `the hook is reading ${inFlightBytes} bytes of other requests (BODY_BYTES_IN_FLIGHT ${budgetBytes}); nothing was ` +
            'changed, Metacontroller retries; if this persists, add replicas or memory and raise BODY_BYTES_IN_FLIGHT',
        });
    }, options.maxWaitMs);
    // The client gave up waiting. `gone` acts once, and never once admitted or refused; a pipelined request's response never
    // closes when its connection drops, but the request does, a tick after (so does every other: the response's close,
    // which comes first, is a defence; docs/testing.md).
    const gone = (): void => {
      if (!waiting) return;
      leave();
      waited('gone', waitedFrom);
    };
    req.once('close', gone);
    res.once('close', gone);
    queue.push(waiter);
    report();
  };
}

/** bytesToRead is what a request's body will take: nothing without a body, its Content-Length when sent as it is (none past the limit: refused, never held), else the limit. */
function bytesToRead(headers: Record<string, string | string[] | undefined>, bodyLimitBytes: number): number {
  if (!hasBody(headers)) return 0;
  const encoding = headers['content-encoding'];
  const length = Number(headers['content-length']);
  const identity = encoding === undefined || encoding === 'identity';
  if (!identity || headers['content-length'] === undefined || !Number.isSafeInteger(length) || length < 0) return bodyLimitBytes;
  return length > bodyLimitBytes ? 0 : length;
}

/** hasBody tells whether a request carries a body, as Node's parser frames one: by a Content-Length or a Transfer-Encoding. */
export function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || headers['content-length'] !== undefined;
}
