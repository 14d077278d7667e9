/** A POST whose body arrives in two parts, so a test controls how long the request stays in flight. */

import { Agent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

/** The answer to a slow request, read whole. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A request in flight: its first bytes are sent, the rest waits for `finish()`. */
export interface SlowRequest {
  finish(): void;
  /** Drops the connection without sending the rest. */
  abort(): void;
  /** The whole answer; rejects when the connection fails. */
  answer: Promise<Answer>;
}

/**
 * startSlowPost sends the headers and the first `sentBytes` of a JSON body on a new connection; with `keepAlive` it
 * asks to keep the connection open, as Metacontroller's client does, else it says `Connection: close`. With `agent`, it
 * goes on that agent's connections instead (a keep-alive agent's: one kept open from an earlier request).
 */
export function startSlowPost(target: { port: number; path: string }, options: { body: string; sentBytes?: number; keepAlive?: boolean; agent?: Agent }): SlowRequest {
  const { body } = options;
  const split = options.sentBytes ?? 100;
  const req = httpRequest({
    host: '127.0.0.1',
    port: target.port,
    method: 'POST',
    path: target.path,
    agent: options.agent ?? (options.keepAlive === true ? new Agent({ keepAlive: true, maxSockets: 1 }) : false),
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
  });
  req.write(body.slice(0, split));
  return { finish: () => req.end(body.slice(split)), abort: () => req.destroy(), answer };
}
