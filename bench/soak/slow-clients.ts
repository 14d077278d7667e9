/** Slow and broken clients: slowloris headers, slow bodies, idle keep-alive connections, connections dropped mid-body. */

import { connect } from 'node:net';

/** How a slow connection ended: after how long the server closed it, and the first status line it sent, if any. */
export interface Closed {
  afterMs: number;
  status: string;
}

/** A kind of slow client. */
export type SlowKind = 'drip-headers' | 'drip-body' | 'idle-keep-alive';

const OPENINGS: Record<SlowKind, { opening: string; drip: string }> = {
  'drip-headers': { opening: 'POST /sync HTTP/1.1\r\nHost: hook\r\n', drip: 'X-Drip: 1\r\n' },
  'drip-body': { opening: 'POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"parent":', drip: ' ' },
  'idle-keep-alive': { opening: 'GET /healthz HTTP/1.1\r\nHost: hook\r\n\r\n', drip: '' },
};

/** slowClient opens a connection that sends `kind`'s opening, then a byte every `dripMs`, until the server closes it (or `giveUpMs`). */
export function slowClient(port: number, kind: SlowKind, options: { dripMs: number; giveUpMs: number }): Promise<Closed> {
  const { opening, drip } = OPENINGS[kind];
  return new Promise((resolve) => {
    const started = performance.now();
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(opening));
    const timer = drip === '' ? null : setInterval(() => socket.write(drip), options.dripMs);
    const giveUp = setTimeout(() => socket.destroy(), options.giveUpMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (timer !== null) clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ afterMs: performance.now() - started, status: /HTTP\/1\.1 \d+[^\r]*/.exec(received)?.[0] ?? '' });
    });
  });
}

/** dropMidBody opens a connection, sends headers and half a body, and destroys it. */
export function dropMidBody(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('POST /sync HTTP/1.1\r\nHost: hook\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n{"parent":{"apiVersion":"pingcap.com/v1alpha1",');
      socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}
