/**
 * CompactBackups as TiDB Operator (>= 1.6) runs them: `status.state` goes Scheduled → Prepare (Job created) →
 * Running (pod started) → Complete, with `status.endTs` (the largest TSO compacted, at most `spec.endTs`). A failed
 * attempt is `RetryFailed` (a `backoffRetryStatus` record) and runs again while `spec.maxRetryTimes` allows; then
 * the CompactBackup is Failed. CompactBackups carry no finalizer: a deleted one goes at once.
 */

import { parseTsString } from '../core/tso.js';
import { formatTime } from '../core/time.js';
import type { JsonObject, KubeObject } from '../core/types.js';
import { tsoOf } from './backup-status.js';
import type { VirtualClock } from './clock.js';
import type { MsRange } from './lag.js';
import type { Pods } from './pods.js';
import type { Random } from './random.js';
import type { ObjectStore, StoreEvent } from './store.js';

/** How CompactBackups behave (durations in ms). */
export interface CompactExecutorSettings {
  /** One attempt's run time once its pod runs. */
  runMs: MsRange;
  /** Share of attempts that fail. */
  failRate: number;
}

/** Compactions of a few minutes that succeed. */
export const DEFAULT_COMPACT_EXECUTOR: CompactExecutorSettings = { runMs: [2 * 60_000, 10 * 60_000], failRate: 0 };

/** The CRD's default of `spec.maxRetryTimes`. */
const DEFAULT_MAX_RETRY_TIMES = 6;

/** A CompactBackup state (`status.state`). */
type CompactState = 'Scheduled' | 'Prepare' | 'Running' | 'RetryFailed' | 'Complete' | 'Failed';

/** Options of {@link CompactExecutor}. */
export interface CompactExecutorOptions {
  pods: Pods;
  settings: CompactExecutorSettings;
  jobStartMs: MsRange;
  prepareMs: MsRange;
}

/** CompactExecutor runs every CompactBackup created in the store. */
export class CompactExecutor {
  constructor(
    private readonly world: { clock: VirtualClock; store: ObjectStore; random: Random },
    private readonly options: CompactExecutorOptions,
  ) {}

  /** receive takes the store events of CompactBackups. */
  receive(event: StoreEvent): void {
    if (event.type === 'deleted') {
      this.options.pods.forget(event.key);
      return;
    }
    if (event.type !== 'added') return;
    const { object } = event;
    const random = this.world.random.fork(`compact:${object.metadata?.name ?? ''}:${object.metadata?.uid ?? ''}`);
    this.world.clock.after(random.between(this.options.jobStartMs), () => {
      if (!this.write(event.key, { state: 'Scheduled' })) return;
      this.world.clock.after(random.between(this.options.prepareMs), () => {
        if (this.write(event.key, { state: 'Prepare' })) this.attempt(event.key, { random, retries: 0 });
      });
    });
  }

  /** attempt runs one pod of the Job: Running, then Complete, or RetryFailed and another attempt, or Failed. */
  private attempt(key: string, facts: { random: Random; retries: number }): void {
    const { random, retries } = facts;
    const name = this.world.store.get(key)?.metadata?.name ?? '';
    this.options.pods.whenRuns({ key, name, pod: 'compact', after: this.world.clock.now, random }, () => {
      if (!this.write(key, { state: 'Running' })) return;
      const fails = random.chance(this.options.settings.failRate);
      this.world.clock.after(random.between(this.options.settings.runMs), () => {
        const compact = this.world.store.get(key);
        if (compact === undefined) return;
        if (!fails) {
          this.write(key, { state: 'Complete', endTs: endTsOf(compact, random) });
          return;
        }
        if (retries >= maxRetryTimesOf(compact)) {
          this.write(key, { state: 'Failed', message: 'the compact Job has reached its backoff limit' });
          return;
        }
        const record = { retryNum: retries, detectFailedAt: formatTime(this.world.clock.now), retryReason: 'tikv-ctl compact-log-backup exited with an error' };
        const history = Array.isArray(compact.status?.['backoffRetryStatus']) ? (compact.status['backoffRetryStatus'] as JsonObject[]) : [];
        if (this.write(key, { state: 'RetryFailed', message: record.retryReason, backoffRetryStatus: [...history, record] })) this.attempt(key, { random, retries: retries + 1 });
      });
    });
  }

  /** write sets `status.state` (and more fields); false when the CompactBackup is gone. */
  private write(key: string, status: JsonObject & { state: CompactState }): boolean {
    const compact = this.world.store.get(key);
    if (compact === undefined) return false;
    return this.world.store.updateStatus(key, { ...(compact.status ?? {}), ...status }).ok;
  }
}

/** The largest TSO a compaction saw: a little before its window's end (upstream reads it from tikv-ctl's log). */
function endTsOf(compact: KubeObject, random: Random): string {
  const end = typeof compact.spec?.['endTs'] === 'string' ? parseTsString(compact.spec['endTs']) : null;
  const start = typeof compact.spec?.['startTs'] === 'string' ? parseTsString(compact.spec['startTs']) : null;
  if (end === null) return '0';
  return tsoOf(Math.max(start ?? end, end - random.between([0, 30_000])));
}

function maxRetryTimesOf(compact: KubeObject): number {
  const value = compact.spec?.['maxRetryTimes'];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : DEFAULT_MAX_RETRY_TIMES;
}
