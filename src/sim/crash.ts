/**
 * Where a Metacontroller crash (fault `metacontroller-restart`) finds a sync in flight, and so how much of its pass
 * reached the API server. Upstream writes a pass one request at a time, in order, and the status last
 * (`pkg/controller/composite/controller.go` syncParentObject: `common.ManageChildren`, then `updateParentStatus`;
 * `pkg/controller/common/manage_children.go`: every deletion, then `updateChildren` for each child in turn), so a
 * process killed part-way has made a prefix of the pass's child requests and never the status write. What a killed
 * process had sent is in etcd; what it had not is lost with it (no retry survives: the work queue is in memory).
 */

import type { Random } from './random.js';

/** A pass paced by the client's rate limit: its deletions go out first, at `qps` a second after a burst. */
export interface PacedPass {
  /** How long before the crash the pass began (the hook's answer arrived). */
  elapsedMs: number;
  /** Its deletions, the requests the pacing lets out before any create. */
  deletions: number;
  qps: number;
  burst: number;
}

/**
 * writesBeforeCrash returns how many of a pass's `writes` child requests were made when Metacontroller went down
 * (the status write, after them, never is).
 *
 * - A pass waiting behind the rate limit (`paced`): the burst and then `qps` a second of its deletions, as the client's
 *   token bucket lets them out by the crash (no create yet: the simulator lands creates when the first one would go).
 * - A sync whose call the simulator still has in flight: its answer is already decided (the simulator calls the hook
 *   when the sync starts and delivers the answer after the call's latency), and its writes land at once when they
 *   land, where upstream's take a round trip each. So the crash instant stands for a point anywhere in the sync, drawn
 *   from `random` (deterministic per seed): half the time the call was still out (nothing written), else the pass was
 *   under way and a uniform number of its child requests, from none to all of them, had been made — all of them is
 *   the crash between the children and the status.
 */
export function writesBeforeCrash(writes: number, options: { paced: PacedPass | null; random: Random }): number {
  const { paced, random } = options;
  if (paced !== null) {
    const sent = paced.burst + Math.floor((paced.elapsedMs * paced.qps) / 1000);
    return Math.min(paced.deletions, writes, Math.max(0, sent));
  }
  if (!random.chance(0.5)) return 0;
  return Math.min(writes, Math.floor(random.next() * (writes + 1)));
}
