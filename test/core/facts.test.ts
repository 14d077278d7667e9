/** summarize: the schedule's state as of one sync, for metrics and logs. */

import assert from 'node:assert/strict';

import { summarize } from '../../src/core/facts.js';
import type { FactsInputs } from '../../src/core/facts.js';
import { observeChildren } from '../../src/core/observe.js';
import type { SnapshotBackup } from '../../src/core/observe.js';
import type { BackupSchedule, KubeObject } from '../../src/core/types.js';
import { backup, schedule } from '../support/objects.js';

const at = (hhmm: string): string => `2024-05-01T${hhmm}:00Z`;

/** The snapshot Backups observation finds among these children. */
function snapshotsOf(parent: BackupSchedule, children: KubeObject[]): SnapshotBackup[] {
  const map = Object.fromEntries(children.map((c) => [`db/${c.metadata?.name ?? ''}`, c]));
  return observeChildren(parent, { 'Backup.pingcap.com/v1alpha1': map }).backups.filter((b): b is SnapshotBackup => b.role === 'snapshot');
}

const inputs = (extra: Partial<FactsInputs> = {}): FactsInputs => ({
  specValid: true,
  paused: false,
  deletions: [],
  lastScheduled: null,
  nextScheduled: null,
  expectedIntervalMs: null,
  status: {},
  ...extra,
});

describe('summarize: the schedule’s snapshot Backups by state', () => {
  const parent = schedule();
  const children = [
    backup({ slot: at('00:10') }),
    backup({ slot: at('00:20') }),
    backup({ slot: at('00:30'), state: 'failed' }),
    backup({ slot: at('00:40'), state: 'invalid' }),
    backup({ slot: at('00:50'), state: 'running' }),
    backup({ slot: at('01:00'), deleting: at('01:05') }),
  ];
  const cases: ReadonlyArray<{ name: string; deletions: string[]; backups: Record<string, number>; deleting: number }> = [
    { name: 'those being deleted count as deleting, the rest by state', deletions: [], backups: { complete: 2, failed: 1, invalid: 1, unfinished: 1 }, deleting: 1 },
    {
      name: 'those this answer deletes count as deleting too',
      deletions: ['nightly-2024-05-01t00-10-00', 'nightly-2024-05-01t00-30-00'],
      backups: { complete: 1, failed: 0, invalid: 1, unfinished: 1 },
      deleting: 3,
    },
    { name: 'a deletion of one already being deleted counts once', deletions: ['nightly-2024-05-01t01-00-00'], backups: { complete: 2, failed: 1, invalid: 1, unfinished: 1 }, deleting: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const deletions = c.deletions.map((name) => ({ name, reason: 'test', rule: 'retention' as const }));
      const facts = summarize(parent, snapshotsOf(parent, children), inputs({ deletions }));
      assert.deepEqual({ backups: facts.backups, deleting: facts.deleting }, { backups: c.backups, deleting: c.deleting });
    });
  }
});

describe('summarize: what it carries and reads', () => {
  it('without a log decision: no log health and no checkpoint', () => {
    const facts = summarize(schedule(), [], inputs());
    assert.deepEqual({ logBackup: facts.logBackup, logCheckpoint: facts.logCheckpoint }, { logBackup: null, logCheckpoint: null });
  });

  it('the decision’s instants, the schedule’s creation and the last success written', () => {
    const facts = summarize(
      schedule({ created: at('00:00') }),
      [],
      inputs({ paused: true, lastScheduled: Date.parse(at('00:10')), nextScheduled: Date.parse(at('00:20')), expectedIntervalMs: 600_000, status: { lastSuccessfulTime: at('00:15') } }),
    );
    assert.deepEqual(
      [facts.specValid, facts.paused, facts.lastScheduled, facts.nextScheduled, facts.expectedIntervalMs, facts.created, facts.lastSuccessfulCompletion],
      [true, true, Date.parse(at('00:10')), Date.parse(at('00:20')), 600_000, Date.parse(at('00:00')), Date.parse(at('00:15'))],
    );
  });
});

describe('summarize: generations the status has not observed', () => {
  const cases: ReadonlyArray<{ name: string; generation: unknown; observed: unknown; unobserved: number | null }> = [
    { name: 'observed: 0', generation: 3, observed: 3, unobserved: 0 },
    { name: 'one spec edit ahead: 1', generation: 4, observed: 3, unobserved: 1 },
    { name: 'several ahead: all of them', generation: 9, observed: 3, unobserved: 6 },
    { name: 'the status ahead (a recreated schedule): 0, never negative', generation: 1, observed: 5, unobserved: 0 },
    { name: 'no observedGeneration: unknown', generation: 3, observed: undefined, unobserved: null },
    { name: 'no generation: unknown', generation: undefined, observed: 3, unobserved: null },
    { name: 'an observedGeneration that is text: unknown', generation: 3, observed: '3', unobserved: null },
    { name: 'a generation that is text: unknown', generation: '4', observed: 3, unobserved: null },
    { name: 'a fractional generation: unknown', generation: 3.5, observed: 3, unobserved: null },
    { name: 'a fractional observedGeneration: unknown', generation: 3, observed: 2.5, unobserved: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parent = schedule({ status: c.observed === undefined ? {} : { observedGeneration: c.observed as number } });
      if (c.generation === undefined) delete parent.metadata.generation;
      else parent.metadata.generation = c.generation as number;
      assert.equal(summarize(parent, [], inputs()).generationsUnobserved, c.unobserved);
    });
  }
  it('a schedule without status: unknown', () => {
    assert.equal(summarize(schedule(), [], inputs()).generationsUnobserved, null);
  });
});
