/**
 * Admission by body size (BODY_BYTES_IN_FLIGHT): bodies are read only while those in flight fit the budget; a request
 * that does not fit waits its turn, and one that waits too long gets 503 with Retry-After, keeping every Backup.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import type { Express, Response } from 'express';

import type { SyncResponse } from '../../src/core/types.js';
import { createApp } from '../../src/http/app.js';
import type { AppOptions, SyncObserver } from '../../src/http/app.js';
import { memoryLogger } from '../support/memory-logger.js';
import type { MemoryLogger } from '../support/memory-logger.js';
import { BR_TEMPLATE, backup, request, schedule } from '../support/objects.js';
import { rawConnection } from '../support/raw-request.js';
import { startSlowPost } from '../support/slow-request.js';
import type { Answer } from '../support/slow-request.js';

const NOW = Date.parse('2024-05-01T03:05:00Z');
const body = JSON.stringify(request(schedule({ spec: { schedule: '*/10 * * * *', backupTemplate: BR_TEMPLATE } }), [backup({ slot: '2024-05-01T02:50:00Z' })]));
const BYTES = Buffer.byteLength(body);
const WAITING = 'request waits for room in the body budget';

/** A hook on loopback whose budget holds `budgetBytes` of bodies at once. */
async function serve(options: { budgetBytes: number; waitMs?: number; arrivalMs?: number; observer?: SyncObserver; extraRoutes?: AppOptions['extraRoutes'] }): Promise<{ port: number; log: MemoryLogger; server: Server }> {
  const log = memoryLogger();
  const config = { bodyLimitBytes: 1024 * 1024, bodyBytesInFlight: options.budgetBytes, staleViewGraceMs: 300_000, handoverLabelKey: 'backup-schedule-hook/controller' };
  const admission = { ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }), ...(options.arrivalMs === undefined ? {} : { arrivalMs: options.arrivalMs }) };
  const app = createApp({
    config,
    logger: log.logger,
    now: () => NOW,
    admission,
    ...(options.observer === undefined ? {} : { observer: options.observer }),
    ...(options.extraRoutes === undefined ? {} : { extraRoutes: options.extraRoutes }),
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, log, server };
}

/** withHook runs `test` against a hook on loopback (see {@link serve}) and closes it afterwards. */
async function withHook(options: Parameters<typeof serve>[0], test: (hook: Awaited<ReturnType<typeof serve>>) => Promise<void>): Promise<void> {
  const hook = await serve(options);
  try {
    await test(hook);
  } finally {
    hook.server.close();
  }
}

/** Starts a slow post and resolves once the hook has taken it in (admitted: nothing else is in flight). */
async function admittedSlowPost(server: Server, port: number): Promise<ReturnType<typeof startSlowPost>> {
  const received = once(server, 'request'); // emitted after the app's own handler has run its synchronous middleware
  const post = startSlowPost({ port, path: '/sync' }, { body });
  await received;
  return post;
}

/** Resolves once the hook has logged that `count` requests wait. */
async function waiting(log: MemoryLogger, count: number): Promise<void> {
  while (log.lines.filter((l) => l.msg === WAITING).length < count) await new Promise((resolve) => setImmediate(resolve));
}

/** A sync request as raw HTTP/1.1 text. */
const rawSync = (): string => `POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: ${BYTES}\r\n\r\n${body}`;

/** The headers of a chunked sync request (a body of unknown size: it counts as the whole body limit), as raw HTTP/1.1 text. */
const CHUNKED_SYNC = 'POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';

/**
 * Resolves once the hook's end of the next connection opened to `server` has closed, and everything the close sets
 * off in the hook (the requests on it aborted a turn later) has run.
 */
async function hookSideClosed(server: Server): Promise<void> {
  const [socket] = (await once(server, 'connection')) as [Socket];
  await new Promise((resolve) => socket.once('close', resolve)); // not once(): a request cut short closes it with an error
  await new Promise((resolve) => setImmediate(resolve));
}

function childrenOf(answer: Answer): string[] {
  return (JSON.parse(answer.text) as SyncResponse).children.map((c) => c.metadata.name);
}

describe('admission by body size (BODY_BYTES_IN_FLIGHT)', function () {
  this.timeout(20_000);

  it('reads a second body that does not fit only after the first is answered, and answers both', () =>
    withHook({ budgetBytes: BYTES + 100 }, async ({ port, log, server }) => {
    const order: string[] = [];
    const first = await admittedSlowPost(server, port);
    const second = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
    const answers = [first, second].map((r, i) => r.answer.then((a) => (order.push(i === 0 ? 'first' : 'second'), a)));
    await waiting(log, 1);
    first.finish();
    const [a, b] = await Promise.all(answers);
    assert.deepEqual([a?.status, b?.status], [200, 200]);
    assert.deepEqual(order, ['first', 'second']);
    const fields = (msg: string): Record<string, unknown> => {
      const { level: _level, time: _time, pid: _pid, hostname: _host, msg: _msg, waitedMs, ...rest } = log.lines.find((l) => l.msg === msg) ?? { level: 0 };
      return typeof waitedMs === 'number' ? { ...rest, waitedUnder10s: waitedMs >= 0 && waitedMs < 10_000 } : rest;
    };
    assert.deepEqual(fields(WAITING), { path: '/sync', bytes: BYTES, inFlightBytes: BYTES, budgetBytes: BYTES + 100, waiting: 1 });
    assert.deepEqual(fields('request admitted after waiting for room'), { path: '/sync', bytes: BYTES, waitedUnder10s: true });
    assert.deepEqual(childrenOf(b as Answer), childrenOf(a as Answer));
    }));

  it('holds the room of a compressed body until it is decided, not only until its stream ends', () =>
    withHook({ budgetBytes: BYTES + 100 }, async ({ port, log, server }) => {
      const compressed = gzipSync(body);
      const first = await new Promise<Answer>((resolve, reject) => {
        const received = once(server, 'request');
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/sync', agent: false, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
        });
        req.once('error', reject);
        req.flushHeaders();
        // Sent once the hook holds its room (a body of unknown size counts as the whole limit), with a second one waiting.
        void received.then(async () => {
          const second = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
          await waiting(log, 1);
          req.end(compressed);
          assert.equal((await second.answer).status, 200);
        });
      });
      assert.equal(first.status, 200);
      const order = log.lines.map((l) => l.msg).filter((m) => m === 'sync' || m === 'request admitted after waiting for room');
      assert.deepEqual(order.slice(0, 2), ['sync', 'request admitted after waiting for room'], 'the second is let in only once the first is decided');
    }));

  it('answers 503 with Retry-After to a request that waited too long, and still answers the one in flight', () =>
    withHook({ budgetBytes: BYTES + 100, waitMs: 50 }, async ({ port, log, server }) => {
    const first = await admittedSlowPost(server, port);
    const refused = await startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES }).answer;
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '1');
    assert.match((JSON.parse(refused.text) as { error: string }).error, /BODY_BYTES_IN_FLIGHT \d+\); nothing was changed, Metacontroller retries/);
    const line = log.lines.find((l) => l.msg === 'request refused: no room in the body budget');
    assert.equal(line?.level, 40);
    const { path, bytes, inFlightBytes, budgetBytes, waitedMs } = line ?? {};
    assert.deepEqual({ path, bytes, inFlightBytes, budgetBytes }, { path: '/sync', bytes: BYTES, inFlightBytes: BYTES, budgetBytes: BYTES + 100 });
    assert.ok(typeof waitedMs === 'number' && waitedMs >= 40 && waitedMs < 10_000, `waited its 50 ms: ${String(waitedMs)}`);
    first.finish();
    assert.equal((await first.answer).status, 200);
    }));

  it('counts a body by its Content-Length, but a compressed one as the whole body limit (it may inflate)', async () => {
    const LIMIT = 1024 * 1024; // serve's BODY_LIMIT_BYTES
    const exactlyLimit = Buffer.from(JSON.stringify({ pad: 'x'.repeat(LIMIT - 10) }));
    assert.equal(exactlyLimit.length, LIMIT);
    const cases = [
      { name: 'gzip', encoding: 'gzip', payload: gzipSync(body), budget: (n: number) => BYTES + n + 100, waits: true },
      { name: 'identity', encoding: 'identity', payload: Buffer.from(body), budget: (n: number) => BYTES + n + 100, waits: false },
      { name: 'empty', payload: Buffer.alloc(0), budget: () => BYTES + 100, waits: false },
      { name: 'exactly the limit', payload: exactlyLimit, budget: () => BYTES + LIMIT - 1, waits: true }, // read, so it needs its room
    ];
    for (const c of cases) {
      await withHook({ budgetBytes: c.budget(c.payload.length) }, async ({ port, log, server }) => {
        const holder = await admittedSlowPost(server, port);
        const answer = new Promise<number>((resolve, reject) => {
          const headers = { 'content-type': 'application/json', 'content-length': c.payload.length, ...(c.encoding === undefined ? {} : { 'content-encoding': c.encoding }) };
          const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/sync', agent: false, headers }, (res) => {
            res.resume();
            res.once('end', () => resolve(res.statusCode ?? 0));
          });
          req.once('error', reject);
          req.end(c.payload);
        });
        if (c.waits) {
          await waiting(log, 1);
          holder.finish();
          assert.equal((await holder.answer).status, 200);
          await answer;
        } else {
          await answer;
          assert.deepEqual(log.lines.filter((l) => l.msg === WAITING), [], `${c.name}: answered while the holder is in flight`);
          holder.finish();
          assert.equal((await holder.answer).status, 200);
        }
      });
    }
  });

  it('refuses a body declared over BODY_LIMIT_BYTES (413) without waiting for room', () =>
    withHook({ budgetBytes: BYTES + 100, waitMs: 60_000 }, async ({ port, server }) => {
    const first = await admittedSlowPost(server, port);
    const huge = JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }); // over the 1 MiB limit
    const refused = await startSlowPost({ port, path: '/sync' }, { body: huge, sentBytes: huge.length }).answer;
    assert.equal(refused.status, 413);
    first.finish();
    assert.equal((await first.answer).status, 200);
    }));

  it('answers a POST with no body at all (no Content-Length, not chunked) without waiting for room: it has nothing to read', () =>
    withHook({ budgetBytes: BYTES + 100, waitMs: 60_000 }, async ({ port, server }) => {
    const first = await admittedSlowPost(server, port);
    const bodyless = await rawConnection(port, 'POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n');
    const chunks: Buffer[] = [];
    bodyless.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(bodyless, 'close');
    assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 400 /);
    first.finish();
    assert.equal((await first.answer).status, 200);
    }));

  it('reads a body larger than the whole budget whenever nothing else is in flight, again and again', () =>
    withHook({ budgetBytes: 1024, waitMs: 2000 }, async ({ port }) => {
    for (const _ of [1, 2, 3]) {
      const alone = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
      assert.equal((await alone.answer).status, 200);
    }
    }));

  it('gives back the room of pipelined requests whose connection dropped while they waited', () =>
    withHook({ budgetBytes: BYTES + 100, waitMs: 2000 }, async ({ port, log, server }) => {
    const first = await admittedSlowPost(server, port);
    const pipelined = await rawConnection(port, rawSync() + rawSync());
    await waiting(log, 1);
    pipelined.destroy();
    first.finish();
    assert.equal((await first.answer).status, 200);
    for (const _ of [1, 2]) {
      const fresh = await startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES }).answer;
      assert.equal(fresh.status, 200, 'nothing is left in flight: a fresh request is read, not refused after the wait');
    }
    }));

  it('closes the connection of an admitted body that does not arrive in time, and lets the next one in', () =>
    withHook({ budgetBytes: BYTES + 100, arrivalMs: 100 }, async ({ port, log, server }) => {
    const stalled = await admittedSlowPost(server, port);
    const next = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
    await assert.rejects(stalled.answer, /socket hang up|ECONNRESET/);
    assert.equal((await next.answer).status, 200);
    const line = log.lines.find((l) => l.msg === 'request body too slow: connection closed');
    assert.deepEqual([line?.level, line?.['path'], line?.['bytes'], line?.['arrivalMs']], [40, '/sync', BYTES, 100]);
    }));

  it('lets in the requests behind a waiter that leaves, if they fit', () =>
    withHook({ budgetBytes: 2 * BYTES + 100, waitMs: 2000 }, async ({ port, log, server }) => {
    const holder = await admittedSlowPost(server, port);
    // Chunked: its size is unknown, so it counts as the 1 MiB body limit, and waits at the head of the line.
    const head = await rawConnection(port, 'POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    await waiting(log, 1);
    const behind = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES }); // fits beside the holder
    await waiting(log, 2);
    head.destroy();
    assert.equal((await behind.answer).status, 200, 'admitted when the head left, while the holder is still in flight');
    holder.finish();
    assert.equal((await holder.answer).status, 200);
    }));

  it('gives the place of a client that stopped waiting to the next in line', () =>
    withHook({ budgetBytes: BYTES + 100 }, async ({ port, log, server }) => {
    const first = await admittedSlowPost(server, port);
    const gone = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
    gone.answer.catch(() => undefined);
    await waiting(log, 1);
    gone.abort();
    const third = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
    await waiting(log, 2);
    first.finish();
    assert.equal((await first.answer).status, 200);
    assert.equal((await third.answer).status, 200, 'admitted once the first was answered, not stuck behind the one that left');
    }));

  it('answers every request when recording its metrics fails, and logs the failure', () => {
    const fail = (): never => {
      throw new Error('metrics broke');
    };
    return withHook({ budgetBytes: BYTES + 100, observer: { onBudgetState: fail, onBudgetWait: fail } }, async ({ port, log, server }) => {
      const first = await admittedSlowPost(server, port);
      const second = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
      await waiting(log, 1);
      first.finish();
      assert.deepEqual([(await first.answer).status, (await second.answer).status], [200, 200]);
      const failures = log.lines.filter((l) => l.level === 50).map((l) => l.msg);
      assert.ok(failures.includes("recording the body budget's state failed; requests go on"), failures.join('\n'));
      assert.ok(failures.includes("recording the body budget's wait failed; requests go on"), failures.join('\n'));
      assert.ok(log.errors().every((l) => (l['err'] as { message?: string } | undefined)?.message === 'metrics broke'), 'each failure line carries the error');
    });
  });

  it('works with an observer that records only the state, and logs no failure for the wait it does not record', () =>
    withHook({ budgetBytes: BYTES + 100, observer: { onBudgetState: () => undefined } }, async ({ port, log, server }) => {
      const first = await admittedSlowPost(server, port);
      const second = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
      await waiting(log, 1);
      first.finish();
      assert.deepEqual([(await first.answer).status, (await second.answer).status], [200, 200]);
      assert.deepEqual(log.errors().map((l) => l.msg), []);
    }));

  it('reads a body that exactly fills the room left at once, without waiting', () =>
    withHook({ budgetBytes: 2 * BYTES, waitMs: 2000 }, async ({ port, log, server }) => {
      const first = await admittedSlowPost(server, port);
      const second = await startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES }).answer;
      assert.equal(second.status, 200, 'answered while the first is still in flight');
      assert.deepEqual(log.lines.filter((l) => l.msg === WAITING), []);
      first.finish();
      assert.equal((await first.answer).status, 200);
    }));

  it('lets in only the waiters that fit when room is given back, in order', () =>
    withHook({ budgetBytes: BYTES + 100, waitMs: 5000 }, async ({ port, log, server }) => {
      const admitted = (): number => log.lines.filter((l) => l.msg === 'request admitted after waiting for room').length;
      const first = await admittedSlowPost(server, port);
      const second = startSlowPost({ port, path: '/sync' }, { body }); // its body stalls once admitted: it keeps the room
      await waiting(log, 1);
      const third = startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES });
      await waiting(log, 2);
      first.finish();
      assert.equal((await first.answer).status, 200);
      while (admitted() === 0) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(admitted(), 1, 'the third does not fit beside the second: it still waits');
      second.finish();
      assert.deepEqual([(await second.answer).status, (await third.answer).status], [200, 200]);
      assert.equal(admitted(), 2);
    }));

  it('gives back the room of a pipelined request, admitted behind one not yet answered, when the connection drops', () => {
    const unanswered: Response[] = [];
    // GET /hold is never answered (it takes no room): the sync pipelined behind it has no connection of its own to close.
    const extraRoutes = (app: Express): void => void app.get('/hold', (_req, res) => void unanswered.push(res));
    return withHook({ budgetBytes: BYTES + 100, waitMs: 5000, arrivalMs: 60_000, extraRoutes }, async ({ port, log, server }) => {
      const closed = hookSideClosed(server);
      let requests = 0;
      server.on('request', () => (requests += 1)); // emitted after the app has run a request's synchronous middleware
      const pipelined = await rawConnection(port, `GET /hold HTTP/1.1\r\nHost: hook\r\n\r\n${rawSync().slice(0, -10)}`);
      while (requests < 2) await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(log.lines.filter((l) => l.msg === WAITING), [], 'the pipelined sync was let in: its body is being read');
      pipelined.destroy(); // before the rest of its body
      await closed;
      const fresh = await startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES }).answer;
      assert.equal(fresh.status, 200);
      assert.deepEqual(log.lines.filter((l) => l.msg === WAITING), [], 'nothing is left in flight once the connection is gone: read at once');
    });
  });

  it('forgets at once a pipelined request that waited for room when its connection drops, and lets in those behind it that fit', () =>
    withHook({ budgetBytes: 2 * BYTES + 100, waitMs: 5000 }, async ({ port, log, server }) => {
      const holder = await admittedSlowPost(server, port);
      const closed = hookSideClosed(server);
      // Two chunked syncs (each counts as the 1 MiB limit, so neither fits beside the holder): the second waits behind
      // the first, whose answer is not written, so it has no connection of its own to close.
      const chunk = `${BYTES.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      const pipelined = await rawConnection(port, `${CHUNKED_SYNC}${chunk}${CHUNKED_SYNC}`);
      await waiting(log, 2);
      pipelined.destroy();
      await closed;
      const behind = await startSlowPost({ port, path: '/sync' }, { body, sentBytes: BYTES }).answer; // fits beside the holder
      assert.equal(behind.status, 200);
      assert.equal(log.lines.filter((l) => l.msg === WAITING).length, 2, 'read at once: nobody is left waiting ahead of it');
      holder.finish();
      assert.equal((await holder.answer).status, 200);
    }));

  it('serves many requests on one keep-alive connection without piling up listeners on it', () =>
    withHook({ budgetBytes: BYTES + 100 }, async ({ port, server }) => {
      const warnings: Error[] = [];
      const warned = (warning: Error): number => warnings.push(warning);
      process.on('warning', warned);
      let connections = 0;
      server.on('connection', () => (connections += 1));
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < 15; i += 1) {
          const post = startSlowPost({ port, path: '/sync' }, { body, agent });
          post.finish();
          assert.equal((await post.answer).status, 200);
        }
        await new Promise((resolve) => setImmediate(resolve)); // a warning is emitted a turn later
        assert.equal(connections, 1, 'all on one connection');
        assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), [], 'a listener per request left on the connection would hold every request until it closes');
      } finally {
        process.off('warning', warned);
        agent.destroy();
      }
    }));
});
