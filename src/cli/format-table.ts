/**
 * Renders a query result as a plain-text table for `nexus query`: Cypher-literal-like
 * cells (strings quoted, floats with a fraction, nodes as `(:Label {k: v})`) so the
 * value types stay visible in a terminal.
 */
import { Node, Path, Relationship, type QueryResult, type QueryStats, type Value } from '../engine/values.js';

function formatMap(map: ReadonlyMap<string, Value>): string {
  const parts = [...map].map(([k, v]) => `${k}: ${formatValue(v)}`);
  return `{${parts.join(', ')}}`;
}

function formatNode(n: Node): string {
  const labels = n.labels.map((l) => `:${l}`).join('');
  return n.properties.size === 0 ? `(${labels})` : `(${labels} ${formatMap(n.properties)})`;
}

function formatRel(r: Relationship): string {
  return r.properties.size === 0 ? `[:${r.type}]` : `[:${r.type} ${formatMap(r.properties)}]`;
}

export function formatValue(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      if (Number.isNaN(v)) return 'NaN';
      if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
      return Number.isInteger(v) && !String(v).includes('e') ? `${v}.0` : String(v);
    case 'string':
      return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'boolean':
      return String(v);
  }
  if (Array.isArray(v)) return `[${v.map((x: Value) => formatValue(x)).join(', ')}]`;
  if (v instanceof Map) return formatMap(v);
  if (v instanceof Node) return formatNode(v);
  if (v instanceof Relationship) return formatRel(v);
  if (v instanceof Path) {
    let out = formatNode(v.nodes[0]!);
    v.relationships.forEach((r, i) => {
      const next = v.nodes[i + 1]!;
      const forward = r.start === v.nodes[i]!.id;
      out += forward ? `-${formatRel(r)}->${formatNode(next)}` : `<-${formatRel(r)}-${formatNode(next)}`;
    });
    return `<${out}>`;
  }
  return String(v);
}

function formatStats(stats: QueryStats): string {
  const changed = Object.entries(stats).filter(([, n]) => n > 0);
  return changed.map(([k, n]) => `${k}: ${n}`).join(', ');
}

export function formatTable(result: Pick<QueryResult, 'columns' | 'rows' | 'stats'>): string {
  const header = [...result.columns];
  const cells = result.rows.map((row) => row.map((v) => formatValue(v)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (parts: readonly string[]) => `| ${parts.map((p, i) => p.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const out: string[] = [];
  if (header.length > 0) {
    out.push(rule, line(header), rule, ...cells.map(line), rule);
  }
  out.push(`${result.rows.length} row${result.rows.length === 1 ? '' : 's'}`);
  const changes = formatStats(result.stats);
  if (changes !== '') out.push(changes);
  return out.join('\n');
}
