/** Requests supertest cannot send (no Content-Length, not chunked: no body at all; pipelined ones), written as raw bytes. */

import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/** rawExchange serves `app` on a loopback port, writes `head` (request line and headers) and returns all it answers. */
export async function rawExchange(app: { listen: (port: number, host: string) => Server }, head: string): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.write(`${head}\r\n\r\n`);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'close');
    return Buffer.concat(chunks).toString();
  } finally {
    server.close();
  }
}

/** rawConnection opens a connection to `port` on loopback and writes `text` on it as it is (pipelined requests, or headers without a body). */
export async function rawConnection(port: number, text: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(text);
  return socket;
}
