/** The size-bounded LRU memo behind parsed schedules and zones: hits do not recompute, and memory stays bounded. */

import assert from 'node:assert/strict';

import { BoundedMemo } from '../../src/core/bounded-memo.js';

/** counting returns a compute function that records every key it computes. */
function counting(): { compute: (key: string) => string; computed: string[] } {
  const computed: string[] = [];
  return { compute: (key) => (computed.push(key), `value of ${key}`), computed };
}

describe('BoundedMemo (core/bounded-memo)', () => {
  it('computes a key once and answers later reads from memory', () => {
    const memo = new BoundedMemo<string>(3);
    const { compute, computed } = counting();
    assert.equal(memo.get('a', compute), 'value of a');
    assert.equal(memo.get('a', compute), 'value of a');
    assert.equal(memo.get('a', () => 'recomputed'), 'value of a');
    assert.deepEqual(computed, ['a']);
    assert.equal(memo.size, 1);
  });

  it('holds exactly `capacity` entries: the capacity-th key is kept, the one after it evicts', () => {
    const memo = new BoundedMemo<string>(3);
    const { compute, computed } = counting();
    for (const key of ['a', 'b', 'c']) memo.get(key, compute);
    assert.equal(memo.size, 3);
    for (const key of ['a', 'b', 'c']) memo.get(key, compute);
    assert.deepEqual(computed, ['a', 'b', 'c'], 'all three are remembered');
    memo.get('d', compute);
    assert.equal(memo.size, 3);
  });

  it('never grows past its capacity however many distinct keys it sees', () => {
    const memo = new BoundedMemo<string>(5);
    const { compute } = counting();
    for (let i = 0; i < 1000; i++) memo.get(`key-${i}`, compute);
    assert.equal(memo.size, 5);
  });

  it('forgets the least recently used key, where a read counts as a use', () => {
    const memo = new BoundedMemo<string>(3);
    const { compute, computed } = counting();
    for (const key of ['a', 'b', 'c']) memo.get(key, compute);
    memo.get('a', compute); // a is now the most recent; b the least
    memo.get('d', compute); // evicts b
    computed.length = 0;
    for (const key of ['a', 'c', 'd']) memo.get(key, compute);
    assert.deepEqual(computed, [], 'a, c and d are still remembered');
    memo.get('b', compute);
    assert.deepEqual(computed, ['b'], 'b was forgotten and is computed again');
  });

  it('with capacity 1 remembers only the last key', () => {
    const memo = new BoundedMemo<string>(1);
    const { compute, computed } = counting();
    memo.get('a', compute);
    memo.get('a', compute);
    memo.get('b', compute);
    memo.get('a', compute);
    assert.deepEqual(computed, ['a', 'b', 'a']);
    assert.equal(memo.size, 1);
  });
});
