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

/**
 * The last-level cache to simulate, as `--LL=size,ways,line` from the kernel's description of this CPU's level-3 cache.
 * Without it cachegrind takes the size from CPUID, which a hypervisor may misreport (seen here: 384 MB one-way for a
 * 32 MB 16-way L3, simulated as 512 MB two-way). Null when the kernel does not describe one cachegrind can simulate.
 */
function lastLevelCache(): { option: string; described: string } | null {
  const dir = '/sys/devices/system/cpu/cpu0/cache/index3';
  try {
    const read = (file: string): string => readFileSync(join(dir, file), 'utf8').trim();
    const kib = Number(read('size').replace(/K$/, ''));
    const ways = Number(read('ways_of_associativity'));
    const line = Number(read('coherency_line_size'));
    const sets = (kib * 1024) / ways / line;
    if (read('level') !== '3' || !Number.isInteger(sets) || (sets & (sets - 1)) !== 0) return null; // cachegrind needs 2^n sets
    return { option: `--LL=${kib * 1024},${ways},${line}`, described: `${kib / 1024} MB ${ways}-way` };
  } catch {
    return null;
  }
}

/** One function's events, and the part it is counted in. */
interface FunctionCounts {
  part: Part;
  events: Map<string, number>;
}

/** countEvents runs one case under cachegrind and sums its events by function. */
function countEvents(c: Case, run: { syncs: number; outFile: string; cacheOptions: string[] }): Map<string, FunctionCounts> {
  const args = ['--tool=cachegrind', '--cache-sim=yes', ...run.cacheOptions, '--smc-check=all', `--cachegrind-out-file=${run.outFile}`, process.execPath, '--expose-gc', join(here, 'count-syncs.js')];
  const valgrind = spawnSync('valgrind', [...args, String(c.children), String(c.warm), String(run.syncs), String(c.copies)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (valgrind.status !== 0) throw new Error(`valgrind failed (exit ${String(valgrind.status)}): ${valgrind.stderr.slice(-2000)}`);
  const functions = new Map<string, FunctionCounts>();
  let events: string[] = [];
  let counts: FunctionCounts | undefined;
  for (const line of readFileSync(run.outFile, 'utf8').split('\n')) {
    if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/);
    else if (line.startsWith('fn=')) {
      const name = line.slice(3);
      counts = functions.get(name);
      if (counts === undefined) {
        counts = { part: GC_FUNCTION.test(name) ? 'gc' : COMPILER_FUNCTION.test(name) ? 'compiler' : 'hook', events: new Map() };
        functions.set(name, counts);
      }
    } else if (/^\d/.test(line) && counts !== undefined) {
      const { events: sums } = counts;
      line.trim().split(/\s+/).slice(1).forEach((value, i) => {
        const event = events[i] ?? '';
        sums.set(event, (sums.get(event) ?? 0) + Number(value));
      });
    }
  }
  return functions;
}

/** A function's last-level misses (reads and writes) per Backup in one steady sync. */
interface FunctionMisses {
  name: string;
  llMisses: number;
}

/** How many functions the table of where the misses fall lists. */
const TOP_FUNCTIONS = 8;

/** measure is one steady sync of a case: the two runs' difference over the extra syncs, in sum and by function. */
function measure(c: Case, run: { dir: string; cacheOptions: string[] }): PerSync & { topMisses: FunctionMisses[] } {
  const [few, many] = c.syncs.map((syncs) => countEvents(c, { syncs, outFile: join(run.dir, `${c.children}-${c.copies}-${syncs}.out`), cacheOptions: run.cacheOptions }));
  const extra = c.syncs[1] - c.syncs[0];
  const delta = (name: string, events: string[]): number =>
    events.reduce((sum, event) => sum + (many?.get(name)?.events.get(event) ?? 0) - (few?.get(name)?.events.get(event) ?? 0), 0) / extra;
  const names = [...new Set([...(few?.keys() ?? []), ...(many?.keys() ?? [])])];
  const partOf = (name: string): Part => (many?.get(name) ?? few?.get(name))?.part ?? 'hook';
  const per = (part: Part, ...events: string[]): number => names.filter((name) => partOf(name) === part).reduce((sum, name) => sum + delta(name, events), 0);
  const topMisses = names
    .map((name) => ({ name, llMisses: delta(name, ['DLmr', 'DLmw']) / c.children }))
    .sort((a, b) => b.llMisses - a.llMisses)
    .slice(0, TOP_FUNCTIONS);
  return {
    hookInstructions: per('hook', 'Ir'),
    gcInstructions: per('gc', 'Ir'),
    compilerInstructions: per('compiler', 'Ir'),
    dataReads: per('hook', 'Dr'),
    l1Misses: per('hook', 'D1mr', 'D1mw'),
    llMisses: per('hook', 'DLmr', 'DLmw'),
    topMisses,
  };
}

/** A function's name as the table shows it: JIT-compiled code has no symbol, and C++ signatures are cut short. */
function shownName(name: string): string {
  if (name === '???') return 'JIT-compiled JavaScript (the hook\'s own code; no symbols)';
  const short = name.replace(/\(.*$/, '');
  return short.length > 80 ? `${short.slice(0, 77)}...` : short;
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function main(): void {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    process.stderr.write('valgrind is not installed: apt-get install valgrind (Debian), then run npm run bench:instructions again\n');
    process.exit(1);
  }
  const cache = lastLevelCache();
  const cacheOptions = cache === null ? [] : [cache.option];
  const dir = mkdtempSync(join(tmpdir(), 'bench-instructions-'));
  const rows: Array<Case & ReturnType<typeof measure>> = [];
  try {
    for (const c of CASES) {
      const started = Date.now();
      rows.push({ ...c, ...measure(c, { dir, cacheOptions }) });
      process.stderr.write(`${c.children} Backups × ${c.copies} copies: ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const valgrind = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  const simulated = cache === null ? 'the last-level cache CPUID reports (the kernel describes no level-3 cache cachegrind can simulate)' : `a ${cache.described} last-level cache, as the kernel describes this CPU's L3`;
  const lines = [
    `Counted by ${valgrind} (cachegrind, simulating ${simulated}), Node ${process.version}, ${new Date().toISOString()}; one steady sync (validate → decide → serialize) per row.`,
    '',
    '| children | copies | the hook\'s instructions per Backup | × previous size | in the GC, per Backup | in V8\'s compilers, per sync | data reads per Backup | L1 data misses per Backup | last-level misses per Backup |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  let previous: (typeof rows)[number] | undefined;
  for (const row of rows) {
    const growth = previous !== undefined && row.copies === 2 ? `${fmt(row.hookInstructions / previous.hookInstructions, 2)}×` : '';
    lines.push(
      `| ${fmt(row.children)} | ${row.copies} | ${fmt(row.hookInstructions / row.children)} | ${growth} | ${fmt(row.gcInstructions / row.children)} | ${fmt(row.compilerInstructions)} | ` +
        `${fmt(row.dataReads / row.children)} | ${fmt(row.l1Misses / row.children, 1)} | ${fmt(row.llMisses / row.children, 2)} |`,
    );
    if (row.copies === 2) previous = row;
  }
  const largest = rows.at(-1);
  if (largest !== undefined) {
    lines.push('', `Where the last-level misses (reads and writes, every part) of one steady sync of ${fmt(largest.children)} Backups fall:`, '', '| function | misses per Backup |', '|---|---:|');
    for (const { name, llMisses } of largest.topMisses) lines.push(`| ${shownName(name)} | ${fmt(llMisses, 2)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  const result = { valgrind, node: process.version, at: new Date().toISOString(), lastLevelCache: cache?.option ?? 'CPUID', rows };
  writeFileSync(join('bench', 'results', 'instructions.json'), `${JSON.stringify(result, null, 2)}\n`);
}

main();
