/**
 * Graceful shutdown under load: keep-alive clients (as Metacontroller's Go client) POST sync requests, each for a
 * schedule of its own name, until the service stops accepting. Each request's outcome is recorded by name, so it
 * can be matched with the service's own `sync` log lines: a request the service decided but did not answer is lost.
 */

import { Agent, request } from 'node:http';

/** What happened to one request. */
export type Outcome = 'answered' | 'refused' | 'reset' | 'other';

/** A request and its outcome. */
export interface Sent {
  name: string;
  outcome: Outcome;
  status: number | null;
  /** Error code when not answered. */
  code: string | null;
}

/** Options of {@link loadUntilRefused}. */
export interface LoadOptions {
  clients: number;
  /** Makes the body of the request for a schedule name. */
  body: (name: string) => string;
  /** Stops sending after this long even if the service still accepts. */
  maxMs: number;
}

/** loadUntilRefused runs `clients` sequential request loops over keep-alive connections until each sees a refused connection. */
export async function loadUntilRefused(port: number, options: LoadOptions): Promise<Sent[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const sent: Sent[] = [];
  const deadline = performance.now() + options.maxMs;
  let counter = 0;
  const loop = async (client: number): Promise<void> => {
    while (performance.now() < deadline) {
      counter += 1;
      const name = `shutdown-${client}-${counter}`;
      const result = await post(port, { agent, name, body: options.body(name) });
      sent.push(result);
      if (result.outcome === 'refused') return;
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => loop(i)));
  agent.destroy();
  return sent;
}

function post(port: number, what: { agent: Agent; name: string; body: string }): Promise<Sent> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/sync', agent: what.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(what.body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ name: what.name, outcome: 'answered', status: res.statusCode ?? null, code: null }));
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ name: what.name, outcome: 'reset', status: res.statusCode ?? null, code: error.code ?? error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      const outcome: Outcome = code === 'ECONNREFUSED' ? 'refused' : code === 'ECONNRESET' || error.message === 'socket hang up' ? 'reset' : 'other';
      resolve({ name: what.name, outcome, status: null, code });
    });
    req.end(what.body);
  });
}
