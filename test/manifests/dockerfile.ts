/**
 * A Dockerfile parser for structure checks: instructions with line continuations and comments,
 * `--flag=value` options, exec-form JSON arguments, global ARG defaults, and build stages.
 */

/** One instruction, its continuation lines joined. */
export interface Instruction {
  keyword: string;
  /** Arguments after the flags, as written (ARG references unresolved). */
  args: string;
  flags: Record<string, string>;
  /** The exec form (`["node", "x.js"]`) parsed, when the arguments are one. */
  exec?: string[];
  line: number;
}

/** A build stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  name?: string;
  /** Base image with global ARG defaults substituted. */
  base: string;
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Parses Dockerfile text. */
export function parseDockerfile(text: string): Dockerfile {
  const result: Dockerfile = { globalArgs: {}, stages: [] };
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      const stage: Stage = { base: substitute(image, result.globalArgs), instructions: [] };
      if (as?.toUpperCase() === 'AS' && name !== undefined) stage.name = name;
      result.stages.push(stage);
      continue;
    }
    const stage = result.stages.at(-1);
    if (stage !== undefined) stage.instructions.push(instruction);
    else if (instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=', 2);
      result.globalArgs[name.trim()] = value.trim();
    }
  }
  return result;
}

/** Splits text into instructions, joining `\` continuations and dropping comments. */
function instructions(text: string): Instruction[] {
  const found: Instruction[] = [];
  let pending = '';
  let start = 0;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (pending === '') start = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    if (full !== '') found.push(toInstruction(full, start));
  }
  if (pending.trim() !== '') found.push(toInstruction(pending.trim(), start));
  return found;
}

/** One instruction from its joined text. */
function toInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/s.exec(text);
  const keyword = (match?.[1] ?? '').toUpperCase();
  let rest = match?.[2] ?? '';
  const flags: Record<string, string> = {};
  for (let flag = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest); flag !== null; flag = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest)) {
    flags[flag[1] as string] = flag[2] ?? 'true';
    rest = rest.slice(flag[0].length);
  }
  const instruction: Instruction = { keyword, args: rest, flags, line };
  if (rest.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) instruction.exec = parsed as string[];
    } catch {
      // shell form that happens to start with "["
    }
  }
  return instruction;
}

/** Replaces `${NAME}` and `$NAME` with ARG defaults. */
export function substitute(value: string, args: Record<string, string>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => args[braced ?? bare ?? ''] ?? whole);
}
