/**
 * Admission by body size: a request's body is read only while the bodies of the requests in flight, its own included,
 * fit a budget of bytes. A sync request takes about six times its size in memory while it is parsed and decided (a 60 MiB
 * body: 428 MB peak RSS), so a few of the largest at once exhaust the heap, and the process dies with every sync in flight. A request that
 * does not fit waits, its body still in the socket, until others are answered; one that waits too long gets 503 with
 * Retry-After, which Metacontroller retries. Waiting costs no heap.
 */

import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** Options of {@link bodyBudget}. */
export interface BodyBudgetOptions {
  /** Bytes of bodies read at once. A request larger than this alone is still read when nothing else is in flight. */
  budgetBytes: number;
  /** BODY_LIMIT_BYTES: a body of unknown size (chunked, or compressed: it may inflate) counts as this much; one declared larger is refused unread (413), so it counts as nothing. */
  bodyLimitBytes: number;
  /** How long a request waits for room before it is answered 503. */
  maxWaitMs: number;
  logger: Logger;
}

/** A request waiting for room. */
interface Waiter {
  bytes: number;
  admit(): void;
}

/** Seconds Metacontroller is asked to wait before it retries a request answered 503. */
const RETRY_AFTER_SECONDS = 1;

/** bodyBudget returns middleware that admits requests first come, first served, while their bodies fit the budget. */
export function bodyBudget(options: BodyBudgetOptions): RequestHandler {
  const { budgetBytes, logger } = options;
  let inFlightBytes = 0;
  let inFlight = 0;
  const queue: Waiter[] = [];

  const fits = (bytes: number): boolean => inFlight === 0 || inFlightBytes + bytes <= budgetBytes;
  const take = (bytes: number, res: Response): void => {
    inFlight += 1;
    inFlightBytes += bytes;
    res.once('close', () => {
      inFlight -= 1;
      inFlightBytes -= bytes;
      // First come, first served: a large body at the head is not overtaken by small ones behind it.
      while (queue.length > 0 && fits(queue[0]?.bytes ?? 0)) queue.shift()?.admit();
    });
  };

  return (req, res, next) => {
    const bytes = bytesToRead(req.headers, options.bodyLimitBytes);
    if (queue.length === 0 && fits(bytes)) {
      take(bytes, res);
      next();
      return;
    }
    const waitedFrom = Date.now();
    logger.debug({ path: req.path, bytes, inFlightBytes, budgetBytes, waiting: queue.length + 1 }, 'request waits for room in the body budget');
    const waiter: Waiter = {
      bytes,
      admit() {
        clearTimeout(timer);
        res.off('close', leave);
        take(bytes, res);
        next();
      },
    };
    const leave = (): void => {
      clearTimeout(timer);
      const at = queue.indexOf(waiter);
      if (at >= 0) queue.splice(at, 1);
    };
    const timer = setTimeout(() => {
      leave();
      res.off('close', leave);
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
    res.once('close', leave); // the client gave up waiting
    queue.push(waiter);
  };
}

/** bytesToRead is what a request's body will take: its Content-Length when sent as it is (none past the limit: refused unread), else the limit. */
function bytesToRead(headers: Record<string, string | string[] | undefined>, bodyLimitBytes: number): number {
  const encoding = headers['content-encoding'];
  const length = Number(headers['content-length']);
  const identity = encoding === undefined || encoding === 'identity';
  if (!identity || headers['content-length'] === undefined || !Number.isSafeInteger(length) || length < 0) return bodyLimitBytes;
  return length > bodyLimitBytes ? 0 : length;
}
