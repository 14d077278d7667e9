/**
 * Slow and broken clients against the real service (startService): a client that drips its headers or its
 * body is cut off by HEADERS_TIMEOUT / REQUEST_TIMEOUT (Node only checks these every
 * connectionsCheckingInterval, 30 s by default, so without startService's setting these tests would run into
 * mocha's budget), and neither it nor a client that drops mid-body keeps others from being answered. A client that
 * stops reading its answer has its connection closed after REQUEST_TIMEOUT without progress.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/main.js';
import type { Service } from '../../src/main.js';
import { BR_TEMPLATE, request, schedule } from '../support/objects.js';
import { startProcess } from '../support/process.js';

/** What a raw connection saw: the first line the server sent (if any) before it closed the connection. */
async function dripUntilClosed(port: number, opening: string, drip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(opening));
    const timer = setInterval(() => socket.write(drip), 200);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined); // a reset is a close too
    socket.on('close', () => {
      clearInterval(timer);
      resolve(received.split('\r\n')[0] ?? '');
    });
    socket.setTimeout(15_000, () => reject(new Error('the server never closed the slow connection')));
  });
}

async function healthz(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return res.status;
}

describe('service: slow and broken clients', function () {
  this.timeout(15_000);
  let service: Service;
  let port: number;

  before(async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', HEADERS_TIMEOUT: '1s', REQUEST_TIMEOUT: '2s' });
    service = await startService(config);
    port = (service.server.address() as AddressInfo).port;
  });
  after(async () => {
    await service.shutdown();
  });

  it('cuts off a client that drips its headers (408), and answers others meanwhile', async () => {
    const slow = dripUntilClosed(port, 'POST /sync HTTP/1.1\r\nHost: hook\r\n', 'X-Drip: 1\r\n');
    assert.equal(await healthz(port), 200);
    assert.equal(await slow, 'HTTP/1.1 408 Request Timeout');
  });

  it('cuts off a client that drips its headers at HEADERS_TIMEOUT, long before REQUEST_TIMEOUT', async () => {
    const own = await startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', HEADERS_TIMEOUT: '1s', REQUEST_TIMEOUT: '10s' }));
    try {
      const started = Date.now();
      const first = await dripUntilClosed((own.server.address() as AddressInfo).port, 'POST /sync HTTP/1.1\r\nHost: hook\r\n', 'X-Drip: 1\r\n');
      assert.equal(first, 'HTTP/1.1 408 Request Timeout');
      assert.ok(Date.now() - started < 5000, `cut off after ${Date.now() - started} ms`);
    } finally {
      await own.shutdown();
    }
  });

  it('cuts off a client that drips its body at REQUEST_TIMEOUT, and answers others meanwhile', async () => {
    const opening = 'POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"parent":';
    const started = Date.now();
    const slow = dripUntilClosed(port, opening, ' ');
    assert.equal(await healthz(port), 200);
    const first = await slow;
    assert.ok(first === '' || first.startsWith('HTTP/1.1 4'), `the slow body got ${first}`);
    // By REQUEST_TIMEOUT (2 s, checked every second), well before the body budget's own arrival bound (10 s).
    assert.ok(Date.now() - started < 7000, `cut off after ${Date.now() - started} ms`);
  });

  it('closes a keep-alive connection idle for KEEP_ALIVE_TIMEOUT (1 s here; Node would wait 5 s)', async () => {
    const own = await startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', KEEP_ALIVE_TIMEOUT: '1s' }));
    const socket = connect((own.server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => undefined);
    try {
      await once(socket, 'connect');
      socket.write('GET /healthz HTTP/1.1\r\nHost: hook\r\nConnection: keep-alive\r\n\r\n');
      await once(socket, 'data'); // answered; the connection is idle from here
      const answeredAt = Date.now();
      const closed = once(socket, 'close').then(() => Date.now() - answeredAt);
      const timeout = new Promise((resolve) => setTimeout(() => resolve('still open after 4 s'), 4000).unref());
      const idleMs = await Promise.race([closed, timeout]);
      assert.equal(typeof idleMs, 'number', String(idleMs));
      assert.ok((idleMs as number) >= 900, `closed after ${String(idleMs)} ms`);
    } finally {
      socket.destroy();
      await own.shutdown();
    }
  });

  it('forgets a client that drops mid-body and keeps answering', async () => {
    for (let i = 0; i < 20; i += 1) {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"parent":{');
        socket.destroy();
      });
      socket.on('error', () => undefined);
    }
    assert.equal(await healthz(port), 200);
  });
});

describe('service process: a client that stops reading its answer', function () {
  this.timeout(20_000);

  it('has its connection closed after REQUEST_TIMEOUT without progress, so the unread answer is not held for ever', async () => {
    const service = await startProcess({ REQUEST_TIMEOUT: '1s' });
    const socket = connect(service.port, '127.0.0.1');
    socket.on('error', () => undefined);
    try {
      // Children of a type the hook does not manage come back whole: a ~16 MB answer, more than the socket buffers hold.
      const bulky = Object.fromEntries(Array.from({ length: 160 }, (_, i) => [`db/blob-${i}`, { metadata: { name: `blob-${i}` }, spec: { data: 'x'.repeat(100_000) } }]));
      const sync = request(schedule({ spec: { schedule: '0 * * * *', backupTemplate: BR_TEMPLATE } }));
      sync.children['Blob.example.com/v1'] = bulky;
      const body = JSON.stringify(sync);
      await once(socket, 'connect');
      socket.pause(); // never reads the answer
      socket.write(`POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      const line = await service.logged('connection made no progress for REQUEST_TIMEOUT with a request in flight: closed');
      assert.equal(line['timeoutMs'], 1000);
      // Reading again, the client finds the connection closed after what was sent before, not the rest of the answer.
      const closed = once(socket, 'close');
      socket.resume();
      const timeout = new Promise((resolve) => setTimeout(() => resolve('still open 5 s after the line'), 5000).unref());
      assert.equal(await Promise.race([closed.then(() => 'closed'), timeout]), 'closed');
      assert.equal(await healthz(service.port), 200, 'and it keeps serving');
    } finally {
      socket.destroy();
      service.child.kill('SIGKILL');
    }
  });
});
