/** Load from this process (never the server's): autocannon against a server on loopback, every response timed. */

import autocannon from 'autocannon';

import { percentile } from './stats.js';

/** Options of {@link load}: a fixed duration or a fixed number of requests. */
export interface LoadOptions {
  body: string;
  connections: number;
  durationSeconds?: number;
  amount?: number;
}

/** What one load run measured. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  /** Every response's latency in ms, in arrival order. */
  samples: number[];
}

/** load POSTs `body` to `<url>/sync` and fails loudly on any error or non-2xx answer (the figures would mean nothing). */
export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/sync`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: options.body,
        connections: options.connections,
        timeout: 60,
        ...(options.amount === undefined ? { duration: options.durationSeconds ?? 3 } : { amount: options.amount }),
      },
      (error, finished) => (error ? reject(error as Error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`load on ${url} had ${result.errors} errors and ${result.non2xx} non-2xx answers; run the server by hand and POST the body to see why`);
  }
  if (latencies.length === 0) throw new Error(`load on ${url} completed no request; raise the duration`);
  return {
    requestsPerSecond: latencies.length / result.duration,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
    requests: latencies.length,
    samples: latencies,
  };
}
