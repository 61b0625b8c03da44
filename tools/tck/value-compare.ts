/**
 * Comparison of engine values with TCK expectations. Both sides are reduced to a
 * canonical string (ids dropped, labels and map keys sorted, integers and floats kept
 * distinct), so row multisets can be compared with a hash map instead of pairwise
 * matching. In "ignoring element order for lists" mode list elements are sorted too.
 */
import { Node, Path, Relationship, type Value } from '../../src/engine/values.js';
import { TckFormatError, type TckNode, type TckRelationship, type TckValue } from './tck-value.js';

export interface CanonicalOptions {
  /** Sort list elements before comparing (the TCK's "ignoring element order for lists"). */
  readonly unorderedLists?: boolean;
}

function canonicalFloat(n: number): string {
  if (Number.isNaN(n)) return 'f:NaN';
  // -0.0 and 0.0 are equal under Cypher's equality; the TCK never distinguishes them in results.
  if (n === 0) return 'f:0';
  return `f:${String(n)}`;
}

function canonicalList(items: readonly string[], opts: CanonicalOptions): string {
  const list = opts.unorderedLists ? [...items].sort() : items;
  return `[${list.join(',')}]`;
}

function canonicalMap(entries: Iterable<[string, string]>): string {
  const list = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${list.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

function canonicalLabels(labels: readonly string[]): string {
  return [...labels]
    .sort()
    .map((l) => JSON.stringify(l))
    .join(':');
}

/** Canonical form of a value returned by the engine. */
export function canonicalValue(v: Value, opts: CanonicalOptions = {}): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `i:${v.toString()}`;
    case 'number':
      return canonicalFloat(v);
    case 'string':
      return `s:${JSON.stringify(v)}`;
    default:
      break;
  }
  if (v instanceof Node) return canonicalEngineNode(v, opts);
  if (v instanceof Relationship) return canonicalEngineRel(v, opts);
  if (v instanceof Path) {
    let out = `<${canonicalEngineNode(v.nodes[0] as Node, opts)}`;
    v.relationships.forEach((rel, i) => {
      const prev = v.nodes[i] as Node;
      const next = v.nodes[i + 1] as Node;
      const r = canonicalEngineRel(rel, opts);
      out += rel.start === prev.id ? `-${r}->` : `<-${r}-`;
      out += canonicalEngineNode(next, opts);
    });
    return `${out}>`;
  }
  if (Array.isArray(v)) {
    return canonicalList(
      (v as readonly Value[]).map((x) => canonicalValue(x, opts)),
      opts,
    );
  }
  if (v instanceof Map) {
    const m = v as ReadonlyMap<string, Value>;
    return `m:${canonicalMap([...m].map(([k, x]) => [k, canonicalValue(x, opts)]))}`;
  }
  return canonicalOther(v);
}

/**
 * Values outside the contract's union (e.g. temporal values, should the engine add
 * them): the TCK writes temporals as their ISO string in quotes, so a value with its
 * own `toString` compares as that string.
 */
function canonicalOther(v: unknown): string {
  if (typeof v === 'object' && v !== null && v.toString !== Object.prototype.toString) {
    return `s:${JSON.stringify(String(v))}`;
  }
  return `?:${String(v)}`;
}

function canonicalProps(props: ReadonlyMap<string, Value>, opts: CanonicalOptions): string {
  return canonicalMap([...props].filter(([, x]) => x !== null).map(([k, x]) => [k, canonicalValue(x, opts)]));
}

function canonicalEngineNode(n: Node, opts: CanonicalOptions): string {
  return `(${canonicalLabels(n.labels)}${canonicalProps(n.properties, opts)})`;
}

function canonicalEngineRel(r: Relationship, opts: CanonicalOptions): string {
  return `[${JSON.stringify(r.type)}${canonicalProps(r.properties, opts)}]`;
}

/** Canonical form of an expected TCK value; equal to `canonicalValue` of a matching engine value. */
export function canonicalTck(v: TckValue, opts: CanonicalOptions = {}): string {
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return v.value ? 'true' : 'false';
    case 'integer':
      return `i:${v.value.toString()}`;
    case 'float':
      return canonicalFloat(v.value);
    case 'string':
      return `s:${JSON.stringify(v.value)}`;
    case 'list':
      return canonicalList(
        v.items.map((x) => canonicalTck(x, opts)),
        opts,
      );
    case 'map':
      return `m:${canonicalMap([...v.entries].map(([k, x]) => [k, canonicalTck(x, opts)]))}`;
    case 'node':
      return canonicalTckNode(v, opts);
    case 'relationship':
      return canonicalTckRel(v, opts);
    case 'path': {
      let out = `<${canonicalTckNode(v.start, opts)}`;
      for (const step of v.steps) {
        const r = canonicalTckRel(step.relationship, opts);
        out += step.direction === 'out' ? `-${r}->` : `<-${r}-`;
        out += canonicalTckNode(step.node, opts);
      }
      return `${out}>`;
    }
  }
}

function canonicalTckProps(props: ReadonlyMap<string, TckValue>, opts: CanonicalOptions): string {
  return canonicalMap(
    [...props].filter(([, x]) => x.kind !== 'null').map(([k, x]) => [k, canonicalTck(x, opts)]),
  );
}

function canonicalTckNode(n: TckNode, opts: CanonicalOptions): string {
  return `(${canonicalLabels(n.labels)}${canonicalTckProps(n.properties, opts)})`;
}

function canonicalTckRel(r: TckRelationship, opts: CanonicalOptions): string {
  return `[${JSON.stringify(r.type)}${canonicalTckProps(r.properties, opts)}]`;
}

/** Converts a TCK value to an engine value (for parameters and procedure rows). */
export function tckToValue(v: TckValue): Value {
  switch (v.kind) {
    case 'null':
      return null;
    case 'boolean':
    case 'integer':
    case 'float':
    case 'string':
      return v.value;
    case 'list':
      return v.items.map(tckToValue);
    case 'map':
      return new Map([...v.entries].map(([k, x]) => [k, tckToValue(x)] as const));
    case 'node':
    case 'relationship':
    case 'path':
      throw new TckFormatError(`a ${v.kind} cannot be used as a parameter value`);
  }
}

/** Short human-readable rendering of an engine value, in TCK notation, for failure messages. */
export function renderValue(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return String(v);
    case 'bigint':
      return v.toString();
    case 'number':
      if (Number.isNaN(v)) return 'NaN';
      if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
      return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(1) : String(v);
    case 'string':
      return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    default:
      break;
  }
  if (v instanceof Node) return renderNode(v);
  if (v instanceof Relationship) return renderRel(v);
  if (v instanceof Path) {
    let out = `<${renderNode(v.nodes[0] as Node)}`;
    v.relationships.forEach((rel, i) => {
      const prev = v.nodes[i] as Node;
      const r = renderRel(rel);
      out += rel.start === prev.id ? `-${r}->` : `<-${r}-`;
      out += renderNode(v.nodes[i + 1] as Node);
    });
    return `${out}>`;
  }
  if (Array.isArray(v)) return `[${(v as readonly Value[]).map(renderValue).join(', ')}]`;
  if (v instanceof Map) return renderProps(v as ReadonlyMap<string, Value>) || '{}';
  return `'${String(v)}'`;
}

function renderProps(props: ReadonlyMap<string, Value>): string {
  if (props.size === 0) return '';
  return `{${[...props].map(([k, x]) => `${k}: ${renderValue(x)}`).join(', ')}}`;
}

function renderNode(n: Node): string {
  const labels = n.labels.map((l) => `:${l}`).join('');
  const props = renderProps(n.properties);
  return `(${labels}${labels && props ? ' ' : ''}${props})`;
}

function renderRel(r: Relationship): string {
  const props = renderProps(r.properties);
  return `[:${r.type}${props ? ' ' : ''}${props}]`;
}
