/**
 * Static checks of alert expressions with Prometheus's own PromQL grammar
 * (@prometheus-io/lezer-promql): syntax errors, the metric names used, and whether each
 * per-schedule series is aggregated over the hook's replicas.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

/** What one expression uses. */
export interface ExpressionFacts {
  /** Unparsable spans, as `"text" at offset`. */
  syntaxErrors: string[];
  /** Metric names of every vector selector. */
  metrics: string[];
  /** Per selector: the aggregation operator and `by` labels around it, or null when none. */
  aggregations: Array<{ metric: string; operator: string | null; by: string[] }>;
  /** `by` labels of the aggregations not nested in another one (the labels the result carries). */
  resultLabels: string[];
}

/** Parses `expression` and reports its syntax errors, metrics and aggregations. */
export function analyzeExpression(expression: string): ExpressionFacts {
  const tree = parser.parse(expression);
  const facts: ExpressionFacts = { syntaxErrors: [], metrics: [], aggregations: [], resultLabels: [] };
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
        const aggregate = enclosing(node, 'AggregateExpr');
        facts.aggregations.push({
          metric,
          operator: aggregate === null ? null : text(aggregate.getChild('AggregateOp') ?? aggregate).toLowerCase(),
          by: aggregate === null ? [] : byLabels(aggregate, text),
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
