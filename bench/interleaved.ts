/**
 * Workloads timed side by side: every round runs a batch of each in turn, so a change in the machine's load
 * (other processes share the two cores and the last-level cache) falls on all of them alike, and a ratio of
 * two workloads is taken within each round before the median is.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';

import { median } from './stats.js';

/** One thing to time: `run` does one iteration (one sync); `warmup` iterations (or ms, whichever ends first) come before any round. */
export interface Workload {
  name: string;
  run: () => void;
  warmup: { iterations: number; maxMs: number };
}

/** Options of {@link timeInterleaved}. */
export interface InterleavedOptions {
  rounds: number;
  /** Wall time each workload's batch should last in a round, in ms; each batch runs at least two iterations. */
  roundMs: number;
}

/** What one workload measured, per iteration, one entry per round. */
export interface WorkloadTimes {
  name: string;
  iterationsPerRound: number;
  /** Wall-clock ms per iteration. */
  wallMs: number[];
  /** CPU ms per iteration (the process's user + system time, GC threads included). */
  cpuMs: number[];
  /** ms per iteration spent in GC pauses that started inside the batch. */
  gcMs: number[];
}

/**
 * timeInterleaved warms each workload up, then runs `rounds` rounds; in each, every workload runs one untimed
 * iteration (so its batch does not start in the state another workload left the caches and heap in) and then
 * a timed batch. GC pauses are attributed to the batch they started in. Nothing forces a collection during
 * the rounds: a workload's batches pay for collecting its own garbage, minor and major.
 */
export async function timeInterleaved(workloads: readonly Workload[], options: InterleavedOptions): Promise<WorkloadTimes[]> {
  const iterations = workloads.map((w) => {
    const { warmup } = w;
    const start = performance.now();
    let done = 0;
    while (done < warmup.iterations && performance.now() - start < warmup.maxMs) {
      w.run();
      done += 1;
    }
    const estimate = (performance.now() - start) / Math.max(1, done);
    return Math.max(2, Math.round(options.roundMs / Math.max(estimate, 1e-3)));
  });
  const times = workloads.map((w, i) => ({ name: w.name, iterationsPerRound: iterations[i] ?? 2, wallMs: [] as number[], cpuMs: [] as number[], gcMs: [] as number[] }));
  const windows: Array<{ workload: number; from: number; to: number }> = [];
  const pauses = await recordGcPauses(() => {
    for (let r = 0; r < options.rounds; r++) {
      workloads.forEach((w, i) => {
        const count = iterations[i] ?? 2;
        w.run();
        const cpu = process.cpuUsage();
        const from = performance.now();
        for (let k = 0; k < count; k++) w.run();
        const to = performance.now();
        const spent = process.cpuUsage(cpu);
        windows.push({ workload: i, from, to });
        times[i]?.wallMs.push((to - from) / count);
        times[i]?.cpuMs.push((spent.user + spent.system) / 1000 / count);
      });
    }
  });
  for (const w of windows) {
    const t = times[w.workload];
    if (t === undefined) continue;
    const gc = pauses.filter((p) => p.startTime >= w.from && p.startTime < w.to).reduce((sum, p) => sum + p.duration, 0);
    t.gcMs.push(gc / t.iterationsPerRound);
  }
  return times;
}

/** pairedRatio is the median over rounds of `numerator[r] / denominator[r]`: a ratio of figures measured side by side. */
export function pairedRatio(numerator: readonly number[], denominator: readonly number[]): number {
  return median(numerator.map((value, r) => value / (denominator[r] ?? Number.NaN)));
}

/** Runs `work` and returns the GC pauses V8 reported while it ran (entries arrive after it, on the event loop). */
async function recordGcPauses(work: () => void): Promise<PerformanceEntry[]> {
  const pauses: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  work();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return pauses;
}
