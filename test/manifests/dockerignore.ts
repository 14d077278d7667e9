/**
 * .dockerignore matching as Docker's build context does it: patterns in order, the last one that
 * matches a path or one of its parent directories decides, `!` re-includes, `*` stays within a
 * path segment and `**` spans segments.
 */

interface Pattern {
  negated: boolean;
  regex: RegExp;
}

/** Parses .dockerignore text into patterns. */
export function parseDockerignore(text: string): Pattern[] {
  return text.split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const body = (negated ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, regex: globToRegex(body) };
    });
}

/** True when the build context leaves `file` (a path relative to the context) out. */
export function isIgnored(file: string, patterns: readonly Pattern[]): boolean {
  const parts = file.replace(/^\.?\/+/, '').split('/');
  const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    if (candidates.some((candidate) => pattern.regex.test(candidate))) ignored = !pattern.negated;
  }
  return ignored;
}

/** A glob as an anchored regular expression. */
function globToRegex(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] as string;
    if (char === '*' && glob[index + 1] === '*') {
      source += '.*';
      index += glob[index + 2] === '/' ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
