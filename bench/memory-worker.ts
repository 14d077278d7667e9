/**
 * Section 4's worker, forked with --expose-gc so that nothing else lives in its heap: syncs the 1,000-child
 * request over and over and reports heap used and RSS (after a full GC) at the checkpoints, over IPC.
 */

import { realisticRequest } from './requests.js';
import { syncPathAt } from './sync-path.js';

/** A memory reading after a full garbage collection. */
export interface MemoryReading {
  syncs: number;
  heapUsedMb: number;
  rssMb: number;
}

/** What the worker sends back. */
export interface MemoryReport {
  children: number;
  readings: MemoryReading[];
  seconds: number;
}

const [childrenArg = '1000', syncsArg = '10000', warmupArg = '200', checkpointsArg = '4'] = process.argv.slice(2);
const children = Number(childrenArg);
const syncs = Number(syncsArg);
const checkpoints = Number(checkpointsArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('memory-worker needs node --expose-gc');

const now = Date.now();
const path = syncPathAt(now);
const body: unknown = JSON.parse(JSON.stringify(realisticRequest(children, { now })));
const read = (done: number): MemoryReading => {
  gc();
  const usage = process.memoryUsage();
  return { syncs: done, heapUsedMb: usage.heapUsed / 2 ** 20, rssMb: usage.rss / 2 ** 20 };
};

for (let i = 0; i < Number(warmupArg); i++) path(body);
const readings = [read(0)];
const started = performance.now();
for (let done = 1; done <= syncs; done++) {
  path(body);
  if (done % Math.ceil(syncs / checkpoints) === 0 || done === syncs) readings.push(read(done));
}
const report: MemoryReport = { children, readings, seconds: (performance.now() - started) / 1000 };
process.send?.(report);
