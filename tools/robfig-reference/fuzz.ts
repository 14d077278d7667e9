/**
 * Random differential search of the hook's cron parser against the real robfig/cron (v1.2.0 and v3).
 *
 *   ROBFIG_V1_SRC=/path/to/robfig-cron.git npx tsx tools/robfig-reference/fuzz.ts [--seed 1] [--count 3000] [--ticks 20]
 *   npx tsx tools/robfig-reference/fuzz.ts --table .tmp/robfig-fuzz/ticks-1.json   # compare again, without Go
 *
 * Draws `count` distinct expressions from fuzz-grammar.ts with the seed, has generate.sh ask robfig for them (into
 * .tmp/robfig-fuzz/), then compares each with the hook exactly as test/core/schedule-robfig.test.ts does
 * (test/support/robfig-compare.ts): agreement with v1.2.0, or a deliberate deviation by its rule, or a disagreement,
 * which is printed. Exit status 1 when there is a disagreement.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isEntryPoint } from '../../src/entry-point.js';
import { answerOf, verdictOf, type RobfigTable } from '../../test/support/robfig-compare.js';
import { seededDraws } from '../../test/support/seeded-draws.js';
import { randomExpression } from './fuzz-grammar.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** fuzzExpressions draws `count` distinct expressions from the seed. */
export function fuzzExpressions(seed: number, count: number): string[] {
  const draws = seededDraws(seed);
  const found = new Set<string>();
  for (let tries = 0; found.size < count && tries < count * 20; tries++) found.add(randomExpression(draws));
  return [...found];
}

/** What generate.sh reads (tools/robfig-reference/main.go's input); `zones` and `zoneYears` ask for Go's zone offsets. */
export interface RobfigInput {
  starts: string[];
  ticksPerStart: number;
  expressions: { expression: string; about: string }[];
  zones?: string[];
  zoneYears?: [number, number];
}

/** committedStarts returns the start instants of the committed expressions.json. */
export function committedStarts(): string[] {
  return (JSON.parse(readFileSync(resolve(here, 'expressions.json'), 'utf8')) as { starts: string[] }).starts;
}

/** robfigTablePath is where askRobfig writes the table of a name. */
export function robfigTablePath(name: string): string {
  return resolve(root, '.tmp/robfig-fuzz', `ticks-${name}.json`);
}

/** askRobfig writes `input` into .tmp/robfig-fuzz/expressions-<name>.json, runs generate.sh on it and returns the path of the table written. */
export function askRobfig(name: string, input: RobfigInput): string {
  const dir = resolve(root, '.tmp/robfig-fuzz');
  mkdirSync(dir, { recursive: true });
  const inputPath = resolve(dir, `expressions-${name}.json`);
  const output = robfigTablePath(name);
  writeFileSync(inputPath, JSON.stringify(input, null, 1));
  execFileSync('bash', [resolve(here, 'generate.sh')], { stdio: 'inherit', env: { ...process.env, ROBFIG_IN: inputPath, ROBFIG_OUT: output } });
  return output;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      count: { type: 'string', default: '3000' },
      ticks: { type: 'string', default: '20' },
      table: { type: 'string' },
    },
  });
  const [seed, count, ticks] = [Number(values.seed), Number(values.count), Number(values.ticks)];
  if (![seed, count, ticks].every(Number.isInteger)) throw new Error('--seed, --count and --ticks take whole numbers, e.g. --seed 7 --count 3000');
  const expressions = (): RobfigInput['expressions'] => fuzzExpressions(seed, count).map((expression) => ({ expression, about: `fuzz seed ${seed}` }));
  const path = values.table ?? askRobfig(String(seed), { starts: committedStarts(), ticksPerStart: ticks, expressions: expressions() });
  const table = JSON.parse(readFileSync(path, 'utf8')) as RobfigTable;

  const tally = new Map<string, number>();
  const count1 = (key: string): void => void tally.set(key, (tally.get(key) ?? 0) + 1);
  const disagreements: string[] = [];
  for (const entry of table.entries) {
    count1(`v1.2.0 ${entry.v1.ok ? 'accepts' : 'rejects'}`);
    count1(`v3 ${entry.v3.ok ? 'accepts' : entry.v3.panic === true ? 'panics' : 'rejects'}`);
    const v1 = answerOf(entry, 'v1');
    const v3 = answerOf(entry, 'v3');
    if (v1.ok !== v3.ok || JSON.stringify(v1.ticks) !== JSON.stringify(v3.ticks)) count1('v1.2.0 and v3 differ');
    const verdict = verdictOf(entry, table);
    count1(verdict.kind === 'deviation' ? `deviation ${verdict.name}` : verdict.kind);
    if (verdict.kind === 'disagrees') {
      disagreements.push(`${JSON.stringify(entry.expression)}: v1.2.0 ${entry.v1.ok ? 'accepts' : `rejects (${entry.v1.error ?? ''})`}\n    ${verdict.message.split('\n').slice(0, 12).join('\n    ')}`);
    }
  }
  console.log(`${table.entries.length} expressions (${path})`);
  for (const [key, n] of [...tally].sort()) console.log(`  ${key}: ${n}`);
  for (const d of disagreements) console.log(`DISAGREES ${d}`);
  process.exitCode = disagreements.length > 0 ? 1 : 0;
}

if (isEntryPoint(import.meta.url)) main();
