/**
 * Generic expression traversal helpers shared by analysis and the executor: the
 * direct sub-expressions of an expression, and a structural key that ignores source
 * offsets (two expressions with the same key compute the same thing, which is how
 * ORDER BY and grouping recognise a projected expression written again).
 */
import { assertNever, type Expression, type LabelExpression, type PatternElement } from './ast.js';

/** Direct child expressions, in evaluation order (pattern property maps included). */
export function childExpressions(e: Expression): Expression[] {
  switch (e.kind) {
    case 'Literal':
    case 'Parameter':
    case 'Variable':
    case 'CountStar':
      return [];
    case 'PropertyAccess':
      return [e.object];
    case 'IndexAccess':
      return [e.object, e.index];
    case 'Slice': {
      const out: Expression[] = [e.object];
      if (e.from) out.push(e.from);
      if (e.to) out.push(e.to);
      return out;
    }
    case 'ListLiteral':
      return [...e.elements];
    case 'MapLiteral':
      return e.entries.map((entry) => entry.value);
    case 'MapProjection': {
      const out: Expression[] = [e.variable];
      for (const item of e.items) {
        if (item.kind === 'MapProjectionLiteral') out.push(item.value);
        else if (item.kind === 'MapProjectionVariable') out.push(item.variable);
      }
      return out;
    }
    case 'ListComprehension': {
      const out: Expression[] = [e.list];
      if (e.where) out.push(e.where);
      if (e.projection) out.push(e.projection);
      return out;
    }
    case 'PatternComprehension': {
      const out = elementExpressions(e.element);
      if (e.where) out.push(e.where);
      out.push(e.projection);
      return out;
    }
    case 'Quantifier':
      return e.where ? [e.list, e.where] : [e.list];
    case 'Reduce':
      return [e.init, e.list, e.expression];
    case 'Case': {
      const out: Expression[] = [];
      if (e.subject) out.push(e.subject);
      for (const alternative of e.alternatives) out.push(alternative.when, alternative.then);
      if (e.else) out.push(e.else);
      return out;
    }
    case 'FunctionCall':
      return [...e.args];
    case 'ExistsSubquery':
      // a subquery has its own scope; its expressions are not children of this one
      return [];
    case 'PatternExpression':
      return elementExpressions(e.element);
    case 'Unary':
      return [e.operand];
    case 'Binary':
      return [e.left, e.right];
    case 'IsNull':
    case 'TypePredicate':
      return [e.operand];
    case 'HasLabels':
      return e.labelExpression ? [e.operand, ...dynamicLabelExpressions(e.labelExpression)] : [e.operand];
    default:
      return assertNever(e);
  }
}

function elementExpressions(element: PatternElement): Expression[] {
  const out: Expression[] = [];
  for (const node of element.nodes) if (node.properties) out.push(node.properties);
  for (const rel of element.relationships) if (rel.properties) out.push(rel.properties);
  for (const node of element.nodes)
    if (node.labelExpression) out.push(...dynamicLabelExpressions(node.labelExpression));
  for (const rel of element.relationships)
    if (rel.typeExpression) out.push(...dynamicLabelExpressions(rel.typeExpression));
  for (const node of element.nodes) if (node.where) out.push(node.where);
  for (const rel of element.relationships) if (rel.where) out.push(rel.where);
  return out;
}

/** The `$(expr)` expressions inside a label expression, in order. */
export function dynamicLabelExpressions(e: LabelExpression): Expression[] {
  switch (e.kind) {
    case 'LabelDynamic':
      return [e.expression];
    case 'LabelNot':
      return dynamicLabelExpressions(e.operand);
    case 'LabelAnd':
    case 'LabelOr':
      return e.operands.flatMap(dynamicLabelExpressions);
    default:
      return [];
  }
}

/** The names and `$(expr)` parts of a conjunction (`A&$(x)`, `A:$(x)`), else null. */
export function conjunctionParts(e: LabelExpression): { names: string[]; dynamic: Expression[] } | null {
  if (e.kind === 'LabelName') return { names: [e.name], dynamic: [] };
  if (e.kind === 'LabelDynamic') return { names: [], dynamic: [e.expression] };
  if (e.kind !== 'LabelAnd') return null;
  const out = { names: [] as string[], dynamic: [] as Expression[] };
  for (const x of e.operands) {
    const part = conjunctionParts(x);
    if (!part) return null;
    out.names.push(...part.names);
    out.dynamic.push(...part.dynamic);
  }
  return out;
}

const keyCache = new WeakMap<Expression, string>();

/** A structural key of an expression, independent of where it appears in the text. */
export function expressionKey(e: Expression): string {
  const cached = keyCache.get(e);
  if (cached !== undefined) return cached;
  const key = JSON.stringify(e, function (this: unknown, name: string, value: unknown) {
    if (name === 'offset') return undefined;
    // function names are case-insensitive: count(x) and COUNT(x) are the same expression
    if (
      name === 'name' &&
      typeof value === 'string' &&
      (this as { kind?: unknown }).kind === 'FunctionCall'
    ) {
      return value.toLowerCase();
    }
    if (typeof value === 'bigint') return `${value}n`;
    // keep -0.0 and 0.0 apart, and floats apart from integers
    if (typeof value === 'number' && name === 'value') return `${Object.is(value, -0) ? '-0' : value}f`;
    return value;
  });
  keyCache.set(e, key);
  return key;
}
