/**
 * What the image must be, checked on the Dockerfile's structure (no Docker engine is needed):
 * multi-stage, pinned bases, production-only dependencies, non-root, SIGTERM, no HEALTHCHECK,
 * and agreement with package.json and the Deployment.
 */
import type { Dockerfile, Instruction, Stage } from './dockerfile.js';
import { isIgnored, parseDockerignore } from './dockerignore.js';

/** What the rest of the repository expects of the image. */
export interface ImageExpectations {
  /** package.json scripts.start, e.g. `node dist/src/main.js`. */
  startCommand: string;
  /** The Deployment's container port and PORT value. */
  port: number;
  /** The Deployment's runAsUser. */
  runAsUser: number;
  /** .dockerignore text. */
  dockerignore: string;
}

/** Every way the Dockerfile falls short, as sentences; [] when it is fine. */
export function dockerfileProblems(dockerfile: Dockerfile, expected: ImageExpectations): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  const { stages } = dockerfile;
  const final = stages.at(-1);
  if (final === undefined) return ['no FROM'];
  const stageNames = new Set(stages.flatMap((stage) => (stage.name === undefined ? [] : [stage.name])));
  const all = stages.flatMap((stage) => stage.instructions);
  const finalOnly = (keyword: string): Instruction[] => final.instructions.filter((instruction) => instruction.keyword === keyword);

  check(stages.length >= 2, 'not a multi-stage build');
  for (const stage of stages) {
    if (stageNames.has(stage.base)) continue;
    check(isPinned(stage.base), `base ${stage.base} is pinned neither to a digest nor to an exact version tag`);
    check(nodeMajor(stage.base) >= 20, `base ${stage.base} is not Node.js 20 or later`);
  }

  const copies = finalOnly('COPY');
  const fromStage = (instruction: Instruction): Stage | undefined => stages.find((stage) => stage.name === instruction.flags['from']);
  const copied = (target: string): Instruction | undefined => copies.find((instruction) => instruction.args.split(/\s+/).at(-1)?.replace(/\/$/, '').endsWith(target));
  const modules = copied('node_modules');
  const modulesStage = modules === undefined ? undefined : fromStage(modules);
  check(modulesStage !== undefined, 'the runtime stage does not copy node_modules from a build stage');
  if (modulesStage !== undefined) {
    const runs = modulesStage.instructions.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args);
    check(runs.some((run) => /npm (ci|prune)\b[^&;]*--omit=dev/.test(run)), `stage ${String(modulesStage.name)} installs node_modules without --omit=dev`);
  }
  const dist = copied('dist/src') ?? copied('dist');
  const distStage = dist === undefined ? undefined : fromStage(dist);
  check(distStage?.instructions.some((instruction) => instruction.keyword === 'RUN' && /npm run build|tsc\b/.test(instruction.args)) === true,
    'the runtime stage does not copy dist/ from a stage that builds it');
  check(copied('package.json') !== undefined || copies.some((instruction) => /\bpackage\.json\b/.test(instruction.args) && instruction.flags['from'] === undefined),
    'the runtime stage lacks package.json ("type": "module" is needed at run time)');
  for (const instruction of copies.filter((candidate) => candidate.flags['from'] === undefined)) {
    const sources = instruction.args.split(/\s+/).slice(0, -1);
    check(!sources.some((source) => /^(\.\/?|(src|test)(\/.*)?)$/.test(source)), `the runtime stage copies sources: COPY ${instruction.args}`);
  }
  check(!final.instructions.some((instruction) => instruction.keyword === 'RUN' && /npm (ci|install|i)\b/.test(instruction.args)),
    'the runtime stage runs npm install itself');

  const user = finalOnly('USER').at(-1)?.args.split(':')[0];
  check(user !== undefined && /^\d+$/.test(user) && user !== '0', `runtime USER ${String(user)} is not a numeric non-root uid`);
  check(user === String(expected.runAsUser), `runtime USER ${String(user)} differs from the Deployment's runAsUser ${expected.runAsUser}`);
  check(finalOnly('STOPSIGNAL').at(-1)?.args === 'SIGTERM', 'no STOPSIGNAL SIGTERM');
  check(!all.some((instruction) => instruction.keyword === 'HEALTHCHECK'), 'HEALTHCHECK is present (Kubernetes probes do that)');
  const command = [...(finalOnly('ENTRYPOINT').at(-1)?.exec ?? []), ...(finalOnly('CMD').at(-1)?.exec ?? [])];
  check(command.join(' ') === expected.startCommand, `runtime command "${command.join(' ')}" is not the start script "${expected.startCommand}" in exec form`);
  check(finalOnly('EXPOSE').some((instruction) => instruction.args.split(/\s+/).includes(String(expected.port))), `EXPOSE ${expected.port} missing`);
  check(finalOnly('ENV').some((instruction) => new RegExp(`\\bPORT=${expected.port}\\b`).test(instruction.args)), `ENV PORT=${expected.port} missing`);

  const ignore = parseDockerignore(expected.dockerignore);
  for (const path of ['node_modules', 'dist', '.git', 'test', '.tmp', 'bench']) {
    check(isIgnored(path, ignore), `.dockerignore does not exclude ${path}`);
  }
  for (const instruction of all.filter((candidate) => candidate.keyword === 'COPY' && candidate.flags['from'] === undefined)) {
    for (const source of instruction.args.split(/\s+/).slice(0, -1)) {
      check(!isIgnored(source, ignore), `.dockerignore excludes ${source}, which COPY needs`);
    }
  }
  return problems;
}

/** A digest, or a tag that names an exact x.y.z version. */
function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^:/@]+)$/.exec(image)?.[1];
  return tag !== undefined && /^\d+\.\d+\.\d+(-[a-z0-9.]+)?$/.test(tag);
}

/** Node.js major version of an official node image reference, or 0. */
function nodeMajor(image: string): number {
  const match = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)/.exec(image);
  return match === null ? 0 : Number(match[1]);
}
