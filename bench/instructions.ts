/**
 * `npm run bench:instructions`: what the sync path executes per Backup, counted by valgrind's cachegrind rather than
 * timed, so that other load on the machine does not move it (about 6 minutes; valgrind must be installed). Each case runs
 * `count-syncs.js` twice under cachegrind, after the same warm-up and a full collection, with two counts of syncs; the
 * difference divided by the extra syncs is one steady sync: the hook's instructions (outside V8's collector and
 * compilers, each counted apart), its data reads, and its misses of the simulated first-level and last-level data
 * caches. Prints a Markdown table and writes bench/results/instructions.json.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured size: its copies and how many syncs each of the two runs makes after the warm-up. */
interface Case {
  children: number;
  copies: number;
  warm: number;
  syncs: readonly [number, number];
}

const CASES: readonly Case[] = [
  { children: 100, copies: 2, warm: 200, syncs: [100, 300] },
  { children: 1_000, copies: 2, warm: 20, syncs: [20, 60] },
  { children: 1_000, copies: 20, warm: 20, syncs: [20, 60] },
  { children: 10_000, copies: 2, warm: 5, syncs: [5, 25] },
];

/** The counters of one steady sync; data reads and misses are the hook's work's (outside the collector and compilers). */
interface PerSync {
  hookInstructions: number;
  gcInstructions: number;
  compilerInstructions: number;
  dataReads: number;
  l1Misses: number;
  llMisses: number;
}

/** Functions of V8's garbage collector (scavenges, marking, sweeping, compaction, write barriers), by symbol. */
const GC_FUNCTION =
  /Scaveng|MarkCompact|Marking|Sweep|Evacuat|Heap::Collect|Heap::Perform|MinorMC|Compactor|RememberedSet|SlotSet|GCTracer|WeakObjects|MemoryAllocator|RecordWrite|IncrementalMarking|BodyDescriptor/;

/**
 * Functions of V8's compilers (TurboFan, Maglev, Sparkplug, the parser): when a function gets optimized again varies
 * from run to run by tens of millions of instructions, so they are counted apart from the hook's work.
 */
const COMPILER_FUNCTION = /v8::internal::compiler::|[Mm]aglev|[Bb]aseline|interpreter::|Parser|Scanner|Bytecode|CompilationJob|Compiler::|Deoptimiz|Zone::|SourcePosition/;

const here = dirname(fileURLToPath(import.meta.url));

/** Where a function's counts go: V8's collector, its compilers, or the hook's work (the rest). */
type Part = 'gc' | 'compiler' | 'hook';

/** countEvents runs one case under cachegrind and sums its events by part. */
function countEvents(c: Case, syncs: number, outFile: string): Record<Part, Map<string, number>> {
  const args = ['--tool=cachegrind', '--cache-sim=yes', '--smc-check=all', `--cachegrind-out-file=${outFile}`, process.execPath, '--expose-gc', join(here, 'count-syncs.js')];
  const run = spawnSync('valgrind', [...args, String(c.children), String(c.warm), String(syncs), String(c.copies)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`valgrind failed (exit ${String(run.status)}): ${run.stderr.slice(-2000)}`);
  const parts: Record<Part, Map<string, number>> = { gc: new Map(), compiler: new Map(), hook: new Map() };
  let events: string[] = [];
  let part = parts.hook;
  for (const line of readFileSync(outFile, 'utf8').split('\n')) {
    if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/);
    else if (line.startsWith('fn=')) part = GC_FUNCTION.test(line) ? parts.gc : COMPILER_FUNCTION.test(line) ? parts.compiler : parts.hook;
    else if (/^\d/.test(line)) {
      const values = line.trim().split(/\s+/).slice(1);
      values.forEach((value, i) => {
        const event = events[i] ?? '';
        part.set(event, (part.get(event) ?? 0) + Number(value));
      });
    }
  }
  return parts;
}

/** measure is one steady sync of a case: the two runs' difference over the extra syncs. */
function measure(c: Case, dir: string): PerSync {
  const [few, many] = c.syncs.map((syncs) => countEvents(c, syncs, join(dir, `${c.children}-${c.copies}-${syncs}.out`)));
  const extra = c.syncs[1] - c.syncs[0];
  const per = (part: Part, ...names: string[]): number => names.reduce((sum, name) => sum + (many?.[part].get(name) ?? 0) - (few?.[part].get(name) ?? 0), 0) / extra;
  return { hookInstructions: per('hook', 'Ir'), gcInstructions: per('gc', 'Ir'), compilerInstructions: per('compiler', 'Ir'), dataReads: per('hook', 'Dr'), l1Misses: per('hook', 'D1mr', 'D1mw'), llMisses: per('hook', 'DLmr', 'DLmw') };
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function main(): void {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    process.stderr.write('valgrind is not installed: apt-get install valgrind (Debian), then run npm run bench:instructions again\n');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-instructions-'));
  const rows: Array<Case & PerSync> = [];
  try {
    for (const c of CASES) {
      const started = Date.now();
      rows.push({ ...c, ...measure(c, dir) });
      process.stderr.write(`${c.children} Backups × ${c.copies} copies: ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const valgrind = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  const lines = [
    `Counted by ${valgrind} (cachegrind: simulated first-level and last-level data caches of this CPU), Node ${process.version}, ${new Date().toISOString()}; one steady sync (validate → decide → serialize) per row.`,
    '',
    '| children | copies | the hook\'s instructions per Backup | × previous size | in the GC, per Backup | in V8\'s compilers, per sync | data reads per Backup | L1 data misses per Backup | last-level misses per Backup |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  let previous: (Case & PerSync) | undefined;
  for (const row of rows) {
    const growth = previous !== undefined && row.copies === 2 ? `${fmt(row.hookInstructions / previous.hookInstructions, 2)}×` : '';
    lines.push(
      `| ${fmt(row.children)} | ${row.copies} | ${fmt(row.hookInstructions / row.children)} | ${growth} | ${fmt(row.gcInstructions / row.children)} | ${fmt(row.compilerInstructions)} | ` +
        `${fmt(row.dataReads / row.children)} | ${fmt(row.l1Misses / row.children, 1)} | ${fmt(row.llMisses / row.children, 2)} |`,
    );
    if (row.copies === 2) previous = row;
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(join('bench', 'results', 'instructions.json'), `${JSON.stringify({ valgrind, node: process.version, at: new Date().toISOString(), rows }, null, 2)}\n`);
}

main();
