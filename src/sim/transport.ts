/**
 * The wire between Metacontroller and the hook, with its faults: call latency, hook restarts (calls refused),
 * error answers, timeouts, and the hook's clock stepping forward.
 */

import type { Hook, HookAnswer } from './hook.js';
import type { MsRange } from './lag.js';
import type { Random } from './random.js';

/** A time window [from, to) in epoch ms of the simulated world. */
export interface Window {
  from: number;
  to: number;
}

/** A window in which a share of the calls goes wrong. */
export interface RateWindow extends Window {
  rate: number;
}

/** The hook's clock steps forward by `byMs` at `at` (and stays ahead). */
export interface ClockJump {
  at: number;
  byMs: number;
}

/** Faults and latency of the calls. */
export interface TransportConfig {
  /** Latency of a call that works. */
  latencyMs: MsRange;
  /** Metacontroller's `webhook.timeout` (default 10 s). */
  timeoutMs: number;
  /** The hook restarts: calls are refused. */
  restarts: Window[];
  /** The hook answers 500. */
  errors: RateWindow[];
  /** The hook does not answer before the timeout. */
  timeouts: RateWindow[];
  clockJumps: ClockJump[];
}

/** A transport with no faults and no latency. */
export const PERFECT_TRANSPORT: TransportConfig = { latencyMs: [0, 0], timeoutMs: 10_000, restarts: [], errors: [], timeouts: [], clockJumps: [] };

/** One call: the answer, when Metacontroller has it, and the instant the hook read. */
export interface HookCall {
  answer: HookAnswer;
  latencyMs: number;
  /** The instant the hook read from its clock (the world's instant plus any clock jumps so far). */
  hookNow: number;
}

/** A transport: Metacontroller's way to call the hook at a world instant. */
export interface Transport {
  call(request: Parameters<Hook>[0], worldNow: number): HookCall | Promise<HookCall>;
  /** hookNow is the hook's clock at a world instant. */
  hookNow(worldNow: number): number;
}

/** createTransport wraps a hook with the configured faults; draws come from `random`. */
export function createTransport(hook: Hook, options: { config: TransportConfig; random: Random }): Transport {
  const { config, random } = options;
  const inWindow = (windows: readonly Window[], at: number): boolean => windows.some((w) => w.from <= at && at < w.to);
  const rateAt = (windows: readonly RateWindow[], at: number): number => windows.find((w) => w.from <= at && at < w.to)?.rate ?? 0;
  function hookNow(worldNow: number): number {
    let offset = 0;
    for (const jump of config.clockJumps) if (jump.at <= worldNow) offset += jump.byMs;
    return worldNow + offset;
  }
  return {
    hookNow,
    call(request, worldNow) {
      const now = hookNow(worldNow);
      if (inWindow(config.restarts, worldNow)) return { answer: { status: 0, body: 'connection refused: the hook is restarting' }, latencyMs: 1, hookNow: now };
      if (random.chance(rateAt(config.timeouts, worldNow))) {
        return { answer: { status: 0, body: `timeout after ${config.timeoutMs} ms` }, latencyMs: config.timeoutMs, hookNow: now };
      }
      if (random.chance(rateAt(config.errors, worldNow))) {
        return { answer: { status: 500, body: { error: 'injected error' } }, latencyMs: Math.round(random.between(config.latencyMs)), hookNow: now };
      }
      const latencyMs = Math.round(random.between(config.latencyMs));
      const answer = hook(request, now);
      if (answer instanceof Promise) return answer.then((a) => ({ answer: a, latencyMs, hookNow: now }));
      return { answer, latencyMs, hookNow: now };
    },
  };
}
