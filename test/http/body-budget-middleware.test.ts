/**
 * The body budget on the middleware alone, in front of handlers the hook's own app does not have: one slower than the
 * arrival bound, one that answers after its client has gone, one that never answers a client that went away. The
 * budget's bytes are given back exactly once whatever the handler does.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import express from 'express';

import { bodyBudget } from '../../src/http/body-budget.js';
import type { BudgetState, WaitOutcome } from '../../src/http/body-budget.js';
import { memoryLogger } from '../support/memory-logger.js';
import type { MemoryLogger } from '../support/memory-logger.js';
import { rawConnection } from '../support/raw-request.js';
import { startSlowPost } from '../support/slow-request.js';

const ARRIVAL_MS = 1000;
const BODY = `{"pad":"${'x'.repeat(50)}"}`; // 60 bytes
const BUDGET = 100; // one body at a time
const WAITING = 'request waits for room in the body budget';

/** A server on loopback with the budget in front of the handlers of {@link serve}, and what it logged and reported. */
interface Served {
  port: number;
  server: Server;
  log: MemoryLogger;
  states: BudgetState[];
  /** The outcome of every wait for room, in order. */
  waits: WaitOutcome[];
  /** How many requests /hold was handed. */
  held: () => number;
  /** Resolves once /late has written its answer, after its client went away. */
  lateAnswered: Promise<void>;
  /** Resolves when /late has its whole body. */
  lateRead: Promise<void>;
}

/** serve starts the budget (one body at a time) in front of four handlers: /slow, /answer, /late and /hold. */
async function serve(options: { arrivalMs: number }): Promise<Served> {
  const log = memoryLogger();
  const states: BudgetState[] = [];
  const waits: WaitOutcome[] = [];
  let held = 0;
  const admit = bodyBudget({
    budgetBytes: BUDGET,
    bodyLimitBytes: 1000,
    maxWaitMs: 5000,
    maxArrivalMs: options.arrivalMs,
    logger: log.logger,
    observer: { onBudgetState: (state) => void states.push(state), onBudgetWait: (outcome) => void waits.push(outcome) },
  });
  let lateRead = (): void => undefined;
  let lateAnswered = (): void => undefined;
  const app = express();
  // Answers once the whole body is in, after twice the arrival bound.
  app.post('/slow', admit, (req, res) => {
    req.resume();
    req.once('end', () => setTimeout(() => res.json({ answered: true }), 2 * ARRIVAL_MS));
  });
  // Answers once the whole body is in.
  app.post('/answer', admit, (req, res) => {
    req.resume();
    req.once('end', () => res.json({ answered: true }));
  });
  // Answers only after its connection is gone (a decision that ends after the client gave up).
  app.post('/late', admit, (req, res) => {
    req.resume();
    req.once('end', lateRead);
    res.on('error', () => undefined);
    req.socket.once('close', () => {
      res.json({ answered: 'nobody' });
      lateAnswered();
    });
  });
  // Never answers, and reads nothing: it only holds what it was given.
  app.post('/hold', admit, () => void (held += 1));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    server,
    log,
    states,
    waits,
    held: () => held,
    lateRead: new Promise((resolve) => (lateRead = resolve)),
    lateAnswered: new Promise((resolve) => (lateAnswered = resolve)),
  };
}

/** withServer runs `test` against {@link serve}'s server and closes it afterwards. */
async function withServer(options: { arrivalMs: number }, test: (served: Served) => Promise<void>): Promise<void> {
  const served = await serve(options);
  try {
    await test(served);
  } finally {
    served.server.close();
    served.server.closeAllConnections(); // a failed test may leave a request in flight
  }
}

/** A POST of BODY to `path` as raw HTTP/1.1 text. */
const rawPost = (path: string): string => `POST ${path} HTTP/1.1\r\nHost: budget\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;

/** Resolves once the log shows `count` requests waiting for room. */
async function waiting(log: MemoryLogger, count: number): Promise<void> {
  while (log.lines.filter((l) => l.msg === WAITING).length < count) await new Promise((resolve) => setImmediate(resolve));
}

/** Starts a post of BODY to /answer whose body is held back until `finish()`, and resolves once it is let in. */
async function admittedHolder(served: Served): Promise<ReturnType<typeof startSlowPost>> {
  const received = once(served.server, 'request'); // emitted after the middleware has run
  const holder = startSlowPost({ port: served.port, path: '/answer' }, { body: BODY, sentBytes: 10 });
  await received;
  return holder;
}

/** Resolves with whether a post of BODY to /answer, sent while another fills the budget, waited for room or was answered first. */
async function waitsBeside(served: Served): Promise<'waited' | 'answered'> {
  const post = startSlowPost({ port: served.port, path: '/answer' }, { body: BODY });
  post.finish();
  let answered = false;
  post.answer.then(() => (answered = true), () => undefined);
  const before = served.log.lines.filter((l) => l.msg === WAITING).length;
  while (!answered && served.log.lines.filter((l) => l.msg === WAITING).length === before) await new Promise((resolve) => setImmediate(resolve));
  return answered ? 'answered' : 'waited';
}

describe('admission by body size: the middleware alone', function () {
  this.timeout(20_000);

  it('answers a request whose body arrived in time even when its answer is written after the arrival bound', () =>
    withServer({ arrivalMs: ARRIVAL_MS }, async ({ port, log, states }) => {
      const post = startSlowPost({ port, path: '/slow' }, { body: BODY });
      post.finish(); // at once: the body arrives well within the bound
      const answer = await post.answer;
      assert.deepEqual([answer.status, answer.text], [200, '{"answered":true}'], 'answered, not cut off as a body too slow to arrive');
      assert.deepEqual(log.lines.filter((l) => l.level >= 40), []);
      assert.equal(states.at(-1)?.bytesInFlight, 0, 'its room given back with the answer');
    }));

  it('gives back the room of a request once when it is answered after its client went away', () =>
    withServer({ arrivalMs: 60_000 }, async (served) => {
      const gone = await rawConnection(served.port, rawPost('/late'));
      await served.lateRead;
      gone.destroy(); // its room is given back as the connection goes, and again as its answer is written, were it not once
      await served.lateAnswered;
      const holder = await admittedHolder(served);
      assert.equal(await waitsBeside(served), 'waited', 'two bodies are never read at once in a budget of one');
      holder.finish();
      assert.equal((await holder.answer).status, 200);
    }));

  it('takes no room for a pipelined request whose room comes as its connection drops, and passes it to no handler', () =>
    withServer({ arrivalMs: 60_000 }, async (served) => {
      const closed = new Promise<void>((resolve) => served.server.once('connection', (socket: Socket) => socket.once('close', () => setImmediate(resolve))));
      // The first is let in and held unanswered; the second waits for its room, which comes when the first's
      // connection drops, before the second's own close tells it that this is its connection too.
      const pipelined = await rawConnection(served.port, rawPost('/hold') + rawPost('/hold'));
      await waiting(served.log, 1);
      pipelined.destroy();
      await closed;
      const fresh = startSlowPost({ port: served.port, path: '/answer' }, { body: BODY });
      fresh.finish();
      assert.equal((await fresh.answer).status, 200);
      assert.equal(served.log.lines.filter((l) => l.msg === WAITING).length, 1, 'read at once: nothing is left in flight');
      assert.deepEqual(served.waits, ['gone'], 'the second request left: its client cannot read an answer');
      assert.equal(served.held(), 1, 'only the first request reached /hold: nothing is left to read of the second, nobody to answer');
    }));
});
