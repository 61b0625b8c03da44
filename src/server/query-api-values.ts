/**
 * Cypher values in the two JSON dialects of Neo4j's Query API v2: plain JSON
 * (`application/json`: integers and floats as JSON numbers, entities as objects with
 * `elementId`, temporals as ISO strings) and typed JSON (`application/vnd.neo4j.query`:
 * every value as `{"$type": T, "_value": …}`, lossless). Also decodes typed parameters.
 * Output is built as text: JSON.stringify cannot write a bigint.
 */
import { NexusError } from '../errors.js';
import { nodeElementId, relationshipElementId } from '../engine/element-id.js';
import { Node, Path, Relationship, isTemporal, type Value } from '../engine/values.js';
import { jsonToValue } from '../engine/json-values.js';

const q = JSON.stringify;

function plainNumber(x: number): string {
  if (Number.isNaN(x)) return '"NaN"';
  if (x === Infinity) return '"Infinity"';
  if (x === -Infinity) return '"-Infinity"';
  return String(x);
}

function plainMap(map: ReadonlyMap<string, Value>): string {
  let out = '{';
  let first = true;
  for (const [k, v] of map) {
    out += (first ? '' : ',') + q(k) + ':' + plainValue(v);
    first = false;
  }
  return out + '}';
}

function plainNode(n: Node): string {
  return `{"elementId":${q(nodeElementId(n.id))},"labels":${q(n.labels)},"properties":${plainMap(n.properties)}}`;
}

function plainRelationship(r: Relationship): string {
  return (
    `{"elementId":${q(relationshipElementId(r.id))},"startNodeElementId":${q(nodeElementId(r.start))},` +
    `"endNodeElementId":${q(nodeElementId(r.end))},"type":${q(r.type)},"properties":${plainMap(r.properties)}}`
  );
}

/** One value in plain JSON. */
export function plainValue(v: Value): string {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return plainNumber(v);
    case 'string':
    case 'boolean':
      return q(v);
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return '[' + (v as readonly Value[]).map(plainValue).join(',') + ']';
  if (v instanceof Map) return plainMap(v as ReadonlyMap<string, Value>);
  if (v instanceof Node) return plainNode(v);
  if (v instanceof Relationship) return plainRelationship(v);
  if (v instanceof Path) return '[' + pathElements(v).map(plainValue).join(',') + ']';
  if (isTemporal(v)) return q(v.toString());
  return 'null';
}

function pathElements(p: Path): Value[] {
  const out: Value[] = [p.nodes[0]!];
  for (let i = 0; i < p.relationships.length; i++) out.push(p.relationships[i]!, p.nodes[i + 1]!);
  return out;
}

const typed = (type: string, value: string): string => `{"$type":"${type}","_value":${value}}`;

function typedMap(map: ReadonlyMap<string, Value>): string {
  let out = '{';
  let first = true;
  for (const [k, v] of map) {
    out += (first ? '' : ',') + q(k) + ':' + typedValue(v);
    first = false;
  }
  return out + '}';
}

const TEMPORAL_TYPE: Readonly<Record<string, string>> = {
  Date: 'Date',
  LocalTime: 'LocalTime',
  Time: 'Time',
  LocalDateTime: 'LocalDateTime',
  DateTime: 'OffsetDateTime',
  Duration: 'Duration',
};

/** One value in typed JSON. */
export function typedValue(v: Value): string {
  switch (typeof v) {
    case 'bigint':
      return typed('Integer', q(v.toString()));
    case 'number':
      return typed(
        'Float',
        q(Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : '-Infinity'),
      );
    case 'string':
      return typed('String', q(v));
    case 'boolean':
      return typed('Boolean', String(v));
  }
  if (v === null) return typed('Null', 'null');
  if (Array.isArray(v)) return typed('List', '[' + (v as readonly Value[]).map(typedValue).join(',') + ']');
  if (v instanceof Map) return typed('Map', typedMap(v as ReadonlyMap<string, Value>));
  if (v instanceof Node) {
    return typed(
      'Node',
      `{"_element_id":${q(nodeElementId(v.id))},"_labels":${q(v.labels)},"_properties":${typedMap(v.properties)}}`,
    );
  }
  if (v instanceof Relationship) {
    return typed(
      'Relationship',
      `{"_element_id":${q(relationshipElementId(v.id))},"_start_node_element_id":${q(nodeElementId(v.start))},` +
        `"_end_node_element_id":${q(nodeElementId(v.end))},"_type":${q(v.type)},"_properties":${typedMap(v.properties)}}`,
    );
  }
  if (v instanceof Path) return typed('Path', '[' + pathElements(v).map(typedValue).join(',') + ']');
  if (isTemporal(v)) {
    const text = v.toString();
    // A zoned datetime with a region id ([Europe/Paris]) is a ZonedDateTime in the Query API.
    const type =
      v.temporalKind === 'DateTime' && text.endsWith(']') ? 'ZonedDateTime' : TEMPORAL_TYPE[v.temporalKind]!;
    return typed(type, q(text));
  }
  return typed('Null', 'null');
}

/**
 * Decodes typed-JSON parameters (`{"$type": "Integer", "_value": "1"}`, …) into Cypher
 * values. Temporal and spatial parameters are refused with a clear error (pass them as
 * strings and convert with date() etc.).
 */
export function typedParamToValue(v: unknown, path: string): Value {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !('$type' in v)) {
    // Untyped JSON inside a typed request: the lossless plain scheme.
    return jsonToValue(v, path);
  }
  const { $type: type, _value: value } = v as { $type: unknown; _value: unknown };
  const bad = (what: string): never => {
    throw new NexusError('INVALID_PARAMETER', `${path}: ${what}`, { details: { path } });
  };
  switch (type) {
    case 'Null':
      return null;
    case 'Boolean':
      return typeof value === 'boolean' ? value : bad('a Boolean needs a true/false _value');
    case 'Integer': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string' || !/^-?\d+$/.test(text))
        return bad('an Integer needs a decimal string _value');
      const n = BigInt(text);
      if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) return bad('the Integer is outside 64 bits');
      return n;
    }
    case 'Float': {
      const x = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      if (typeof value === 'string' && Number.isNaN(x) && value !== 'NaN')
        return bad('a Float needs a numeric _value');
      return x;
    }
    case 'String':
      return typeof value === 'string' ? value : bad('a String needs a string _value');
    case 'List':
      if (!Array.isArray(value)) return bad('a List needs an array _value');
      return value.map((e, i) => typedParamToValue(e, `${path}[${i}]`));
    case 'Map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        return bad('a Map needs an object _value');
      const out = new Map<string, Value>();
      for (const k of Object.keys(value))
        out.set(k, typedParamToValue((value as Record<string, unknown>)[k], `${path}.${k}`));
      return out;
    }
    default:
      return bad(`the typed-JSON type ${String(type)} is not accepted as a parameter`);
  }
}

/** The `parameters` object of a request in either dialect. */
export function queryApiParams(raw: unknown, typedJson: boolean): Record<string, Value> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new NexusError('INVALID_BODY', 'parameters must be an object');
  }
  const out: Record<string, Value> = {};
  for (const k of Object.keys(raw)) {
    const v = (raw as Record<string, unknown>)[k];
    out[k] = typedJson ? typedParamToValue(v, `parameters.${k}`) : jsonToValue(v, `parameters.${k}`);
  }
  return out;
}
