/**
 * Static checks of alert expressions with Prometheus's own PromQL grammar
 * (@prometheus-io/lezer-promql): syntax errors, the metric names used, their label matchers,
 * and whether each per-schedule series is aggregated over the hook's replicas.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

/** One label matcher of a selector, e.g. `code!="200"`. */
export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A vector selector: its metric name and label matchers. */
export interface Selector {
  metric: string;
  matchers: LabelMatcher[];
}

/** What one expression uses. */
export interface ExpressionFacts {
  /** Unparsable spans, as `"text" at offset`. */
  syntaxErrors: string[];
  /** Metric names of every vector selector. */
  metrics: string[];
  /** Every vector selector with a metric name, in order. */
  selectors: Selector[];
  /**
   * Per selector: the innermost aggregation around it (operator and `by` labels, or null when none) and
   * the metrics of the other selectors inside that aggregation (what it is joined with).
   */
  aggregations: Array<{ metric: string; operator: string | null; by: string[]; joinedWith: string[] }>;
  /** `by` labels of the aggregations not nested in another one (the labels the result carries). */
  resultLabels: string[];
}

/** Parses `expression` and reports its syntax errors, metrics and aggregations. */
export function analyzeExpression(expression: string): ExpressionFacts {
  const tree = parser.parse(expression);
  const facts: ExpressionFacts = { syntaxErrors: [], metrics: [], selectors: [], aggregations: [], resultLabels: [] };
  const text = (node: SyntaxNode): string => expression.slice(node.from, node.to);
  const outer = new Set<string>();
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (node.type.isError) facts.syntaxErrors.push(`${JSON.stringify(text(node))} at ${node.from}`);
      if (node.name === 'VectorSelector') {
        const identifier = node.getChild('Identifier');
        if (identifier === null) return;
        const metric = text(identifier);
        facts.metrics.push(metric);
        facts.selectors.push({ metric, matchers: labelMatchers(node, text) });
        const aggregate = enclosing(node, 'AggregateExpr');
        facts.aggregations.push({
          metric,
          operator: aggregate === null ? null : text(aggregate.getChild('AggregateOp') ?? aggregate).toLowerCase(),
          by: aggregate === null ? [] : byLabels(aggregate, text),
          joinedWith: aggregate === null ? [] : metricsUnder(aggregate, text).filter((other) => other !== metric),
        });
      }
      if (node.name === 'AggregateExpr' && enclosing(node, 'AggregateExpr') === null) {
        for (const label of byLabels(node, text)) outer.add(label);
      }
    },
  });
  facts.resultLabels = [...outer].sort();
  return facts;
}

/** The nearest ancestor of type `name`, or null. */
function enclosing(node: SyntaxNode, name: string): SyntaxNode | null {
  for (let current = node.parent; current !== null; current = current.parent) if (current.name === name) return current;
  return null;
}

/** Sorted labels of an aggregation's `by (...)` clause; [] for none or `without`. */
function byLabels(aggregate: SyntaxNode, text: (node: SyntaxNode) => string): string[] {
  const modifier = aggregate.getChild('AggregateModifier');
  if (modifier === null || modifier.getChild('By') === null) return [];
  return (modifier.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map(text).sort();
}

/** selects tells whether `selector` selects a sample with this name and these labels (regexes fully anchored, as in Prometheus). */
export function selects(selector: Selector, sample: { name: string; labels: Record<string, string> }): boolean {
  if (sample.name !== selector.metric) return false;
  return selector.matchers.every(({ label, op, value }) => {
    const actual = sample.labels[label] ?? '';
    switch (op) {
      case '=':
        return actual === value;
      case '!=':
        return actual !== value;
      case '=~':
        return new RegExp(`^(?:${value})$`).test(actual);
      case '!~':
        return !new RegExp(`^(?:${value})$`).test(actual);
    }
  });
}

/** The label matchers of a VectorSelector node. */
function labelMatchers(selector: SyntaxNode, text: (node: SyntaxNode) => string): LabelMatcher[] {
  const list = selector.getChild('LabelMatchers');
  if (list === null) return [];
  return list.getChildren('UnquotedLabelMatcher').map((matcher) => ({
    label: text(matcher.getChild('LabelName') ?? matcher),
    op: text(matcher.getChild('MatchOp') ?? matcher) as LabelMatcher['op'],
    value: unquote(text(matcher.getChild('StringLiteral') ?? matcher)),
  }));
}

/** The value of a PromQL string literal ("…" and '…' with Go escapes, `…` raw). */
function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  return body.replace(/\\(.)/g, (_match, escaped: string) => (escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped));
}

/** Metric names of every vector selector under `node`. */
function metricsUnder(node: SyntaxNode, text: (node: SyntaxNode) => string): string[] {
  const names: string[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    const identifier = child.name === 'VectorSelector' ? child.getChild('Identifier') : null;
    if (identifier !== null) names.push(text(identifier));
    names.push(...metricsUnder(child, text));
  }
  return names;
}
