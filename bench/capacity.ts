/** Sizing: the service's peak RSS under Metacontroller's five workers sending 10,000-child syncs at once, and their latency. */

import { load } from './load.js';
import { startService } from './processes.js';
import { realisticRequest } from './requests.js';
import { percentile } from './stats.js';

/** What sizing measured on a fresh service. */
export interface CapacityResult {
  children: number;
  /** The V8 old-space cap the service ran with, in MB, or null for V8's default. */
  maxOldSpaceMb: number | null;
  connections: number;
  requests: number;
  idleRssMb: number;
  peakRssMb: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** capacity starts a fresh service (so its peak RSS is this load's), then sends `perConnection` syncs on each connection. */
export async function capacity(options: {
  children: number;
  connections: number;
  perConnection: number;
  now: number;
  bodyLimitBytes: number;
  entry?: string;
  /** V8 old-space cap in MB (as NODE_OPTIONS=--max-old-space-size would set it), or none. */
  maxOldSpaceMb?: number;
}): Promise<CapacityResult> {
  const service = await startService({
    bodyLimitBytes: options.bodyLimitBytes,
    ...(options.entry === undefined ? {} : { entry: options.entry }),
    execArgv: options.maxOldSpaceMb === undefined ? [] : [`--max-old-space-size=${options.maxOldSpaceMb}`],
  });
  try {
    const idle = service.memory();
    const body = JSON.stringify(realisticRequest(options.children, { now: options.now }));
    const result = await load(service.url, { body, connections: options.connections, amount: options.connections * options.perConnection });
    return {
      children: options.children,
      maxOldSpaceMb: options.maxOldSpaceMb ?? null,
      connections: options.connections,
      requests: result.requests,
      idleRssMb: idle.rssMiB,
      peakRssMb: service.memory().peakRssMiB,
      p50Ms: percentile(result.samples, 50),
      p99Ms: result.p99Ms,
      maxMs: result.maxMs,
    };
  } finally {
    await service.stop();
  }
}
