import assert from 'node:assert/strict';

import { VirtualClock } from '../../src/sim/clock.js';
import { EventQueue } from '../../src/sim/event-queue.js';

describe('sim event queue and virtual clock', () => {
  const cases: Array<{ name: string; pushes: Array<[number, string]>; order: string[] }> = [
    { name: 'earliest first', pushes: [[30, 'c'], [10, 'a'], [20, 'b']], order: ['a', 'b', 'c'] },
    { name: 'equal times keep insertion order', pushes: [[5, 'x'], [5, 'y'], [1, 'first'], [5, 'z']], order: ['first', 'x', 'y', 'z'] },
    { name: 'many pushes stay ordered', pushes: [9, 3, 7, 1, 8, 2, 6, 4, 5, 0].map((t) => [t, `t${t}`] as [number, string]), order: Array.from({ length: 10 }, (_, i) => `t${i}`) },
  ];
  for (const c of cases) {
    it(`pops ${c.name}`, () => {
      const queue = new EventQueue<string>();
      for (const [at, value] of c.pushes) queue.push(at, value);
      const popped: string[] = [];
      for (let e = queue.pop(); e !== undefined; e = queue.pop()) popped.push(e.value);
      assert.deepEqual(popped, c.order);
    });
  }

  it('jumps from event to event, runs actions scheduled during the run, skips cancelled ones and stops at the end', async () => {
    const clock = new VirtualClock(1000);
    const seen: Array<[string, number]> = [];
    clock.at(5000, () => {
      seen.push(['a', clock.now]);
      clock.after(10, () => void seen.push(['a+10', clock.now]));
    });
    const cancelled = clock.at(3000, () => void seen.push(['cancelled', clock.now]));
    cancelled.cancelled = true;
    clock.at(1_000_000, () => void seen.push(['late', clock.now]));
    await clock.runUntil(10_000);
    assert.deepEqual(seen, [['a', 5000], ['a+10', 5010]]);
    assert.equal(clock.now, 10_000);
    assert.equal(clock.eventsRun, 2);
  });

  it('never schedules into the past', async () => {
    const clock = new VirtualClock(1000);
    const at: number[] = [];
    clock.at(2000, () => {
      clock.at(1500, () => void at.push(clock.now));
    });
    await clock.runUntil(3000);
    assert.deepEqual(at, [2000]);
  });
});
