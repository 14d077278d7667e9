/** docs/observe.md against a real scrape: every exported metric documented with its type, every PromQL example parses. */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { analyzeExpression } from '../manifests/promql.js';
import { scrapeAfterRealSyncs } from '../support/service.js';

const doc = readFileSync(new URL('../../docs/observe.md', import.meta.url), 'utf8');

/** Documented metrics: table rows whose first cell is a `backup_schedule_…` name; per-schedule tables have no labels column. */
function documentedTypes(): Map<string, string> {
  const types = new Map<string, string>();
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`(backup_schedule_[a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name !== undefined) types.set(name, cells[2] ?? '');
  }
  return types;
}

/** Exported metric families and their types (`# TYPE name type`), after syncs that set every series. */
async function exportedTypes(): Promise<Map<string, string>> {
  const { text } = await scrapeAfterRealSyncs();
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

/** PromQL in the doc: code spans that call a function or aggregate a hook metric, and the recording rule's `expr`. */
function promqlExamples(): string[] {
  const spans = [...doc.matchAll(/`([^`\n]+)`/g)].map((m) => (m[1] as string).replaceAll('\\|', '|'));
  const expressions = spans.filter((s) => /backup_schedule[_:]/.test(s) && s.includes('('));
  const block = /expr: \|\n((?:\s{6,}.*\n)+)/.exec(doc)?.[1];
  if (block !== undefined) expressions.push(block.trim());
  return expressions;
}

describe('docs/observe.md', () => {
  it('documents every metric the hook exports, with its type, and no other', async () => {
    const exported = new Map([...(await exportedTypes())].filter(([name]) => name.startsWith('backup_schedule_')));
    assert.deepEqual(new Map([...documentedTypes()].sort()), new Map([...exported].sort()));
  });

  it('shows PromQL that parses and uses only exported metrics (or the recording rule it defines)', async () => {
    const exported = new Set((await exportedTypes()).keys());
    const examples = promqlExamples();
    assert.ok(examples.length >= 8, `found ${examples.length} expressions`);
    for (const expression of examples) {
      const facts = analyzeExpression(expression);
      assert.deepEqual(facts.syntaxErrors, [], expression);
      const unknown = facts.metrics.filter((m) => m !== 'backup_schedule:freshest_replica' && !exported.has(m) && !exported.has(m.replace(/_(bucket|count|sum)$/, '')));
      assert.deepEqual(unknown, [], expression);
    }
  });
});
