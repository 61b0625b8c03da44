/**
 * Text rendering of Cypher values: `formatValue` gives what toString() / string
 * concatenation produce for scalars and a TCK-style literal for everything else
 * (`[1, 'a']`, `{k: 1.0}`, `(:L {p: 1})`, `[:T]`, `<(...)-[...]->(...)>`).
 */
import { Node, Path, Relationship, type Value } from '../values.js';
import { formatFloat } from './arithmetic.js';

export { formatFloat };

/** Top-level strings are returned as is; nested strings are quoted. */
export function formatValue(v: Value): string {
  if (typeof v === 'string') return v;
  return formatLiteral(v);
}

function quote(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

function formatProps(props: ReadonlyMap<string, Value>): string {
  if (props.size === 0) return '';
  const parts: string[] = [];
  for (const [k, val] of props) parts.push(`${k}: ${formatLiteral(val)}`);
  return ` {${parts.join(', ')}}`;
}

function formatNode(n: Node): string {
  const labels = n.labels.map((l) => ':' + l).join('');
  const props = formatProps(n.properties);
  return `(${labels}${labels === '' ? props.trimStart() : props})`;
}

function formatRel(r: Relationship): string {
  return `[:${r.type}${formatProps(r.properties)}]`;
}

/** The text of an INTEGER, FLOAT or BOOLEAN, as toString() gives it; undefined for other values. */
export function formatScalar(v: Value): string | undefined {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return formatFloat(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return undefined;
  }
}

/** Renders any value as a Cypher-like literal (strings quoted). */
export function formatLiteral(v: Value): string {
  if (typeof v === 'string') return quote(v);
  const scalar = formatScalar(v);
  if (scalar !== undefined) return scalar;
  if (v === null) return 'null';
  if (Array.isArray(v)) return '[' + (v as readonly Value[]).map(formatLiteral).join(', ') + ']';
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, val] of v as ReadonlyMap<string, Value>) parts.push(`${k}: ${formatLiteral(val)}`);
    return '{' + parts.join(', ') + '}';
  }
  if (v instanceof Node) return formatNode(v);
  if (v instanceof Relationship) return formatRel(v);
  if (v instanceof Path) {
    let out = formatNode(v.nodes[0] ?? new Node(-1, [], new Map()));
    for (let i = 0; i < v.relationships.length; i++) {
      const r = v.relationships[i]!;
      const from = v.nodes[i]!;
      const forward = r.start === from.id;
      out += (forward ? '-' : '<-') + formatRel(r) + (forward ? '->' : '-') + formatNode(v.nodes[i + 1]!);
    }
    return '<' + out + '>';
  }
  return String(v);
}
