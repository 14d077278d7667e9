/** A tiny XML well-formedness check for the SVGs the CLI writes: balanced tags, quoted attributes, escaped text. */

const TOKEN = /<\?[^?]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/g;

/** xmlProblems returns what makes the text not well-formed XML (empty when it is); names the open elements in order. */
export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  let roots = 0;
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    checkText(text.slice(last, m.index), problems);
    last = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (name === undefined) continue;
    if (closing === '/') {
      const top = open.pop();
      if (top !== name) problems.push(`</${name}> closes <${top ?? 'nothing'}>`);
    } else {
      if (open.length === 0) roots += 1;
      if (selfClosing !== '/') open.push(name);
    }
  }
  checkText(text.slice(last), problems);
  if (open.length > 0) problems.push(`unclosed: ${open.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

function checkText(text: string, problems: string[]): void {
  if (text.includes('<') || text.includes('>')) problems.push(`a tag that is not well-formed near ${JSON.stringify(text.slice(0, 60))}`);
  if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) problems.push(`an unescaped & near ${JSON.stringify(text.slice(0, 60))}`);
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) {
    problems.push(`a character XML 1.0 does not allow near ${JSON.stringify(text.slice(0, 60))}`);
  }
}
