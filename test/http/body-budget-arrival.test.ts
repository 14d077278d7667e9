/**
 * The body budget's arrival bound on the middleware alone, in front of a handler slower than the hook's own: the bound
 * is on how long a body takes to arrive, not on how long its answer takes once it has (a large body parsed and decided,
 * or inflated, for longer than the bound).
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import express from 'express';

import { bodyBudget } from '../../src/http/body-budget.js';
import type { BudgetState } from '../../src/http/body-budget.js';
import { memoryLogger } from '../support/memory-logger.js';
import { startSlowPost } from '../support/slow-request.js';

const ARRIVAL_MS = 1000;

describe('admission by body size: the arrival bound', function () {
  this.timeout(20_000);

  it('answers a request whose body arrived in time even when its answer is written after the arrival bound', async () => {
    const log = memoryLogger();
    const states: BudgetState[] = [];
    const admit = bodyBudget({
      budgetBytes: 1024,
      bodyLimitBytes: 1024,
      maxWaitMs: 10_000,
      maxArrivalMs: ARRIVAL_MS,
      logger: log.logger,
      observer: { onBudgetState: (state) => void states.push(state) },
    });
    const app = express();
    app.post('/slow', admit, (req, res) => {
      req.resume();
      // The whole body is in; the answer takes twice the arrival bound.
      req.once('end', () => setTimeout(() => res.json({ answered: true }), 2 * ARRIVAL_MS));
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const post = startSlowPost({ port: (server.address() as AddressInfo).port, path: '/slow' }, { body: '{"small":"body"}' });
      post.finish(); // at once: the body arrives well within the bound
      const answer = await post.answer;
      assert.deepEqual([answer.status, answer.text], [200, '{"answered":true}'], 'answered, not cut off as a body too slow to arrive');
      assert.deepEqual(log.lines.filter((l) => l.level >= 40), []);
      assert.equal(states.at(-1)?.bytesInFlight, 0, 'its room given back with the answer');
    } finally {
      server.close();
    }
  });
});
