/**
 * neo4j-admin's CSV conventions for `nexus import`: the header names each column as
 * `name:type` — `:ID` / `name:ID(space)` (node id, stored as property `name` when named),
 * `:LABEL`, `:START_ID(space)`, `:END_ID(space)`, `:TYPE`, `:IGNORE`, and typed
 * properties `age:int`, `score:float`, `active:boolean`, `tags:string[]` (array items split
 * on the array delimiter, `;` by default); a column without a type is a string. Fields
 * are split here too: a fast path for lines without quotes, RFC 4180 quoting otherwise
 * (a quoted field may span lines; `""` is a quote).
 */
import type { PropertyScalar, PropertyValue } from '../../storage/types.js';

export type ScalarType = 'int' | 'float' | 'boolean' | 'string';

export type Column =
  | { kind: 'id'; space: string; property: string | undefined }
  | { kind: 'label' }
  | { kind: 'type' }
  | { kind: 'start'; space: string }
  | { kind: 'end'; space: string }
  | { kind: 'ignore' }
  | { kind: 'property'; name: string; type: ScalarType; array: boolean };

/** A problem with one row; the importer adds the file and line. */
export class RowError extends Error {}

const TYPE_ALIASES: Record<string, ScalarType> = {
  int: 'int',
  long: 'int',
  short: 'int',
  byte: 'int',
  integer: 'int',
  float: 'float',
  double: 'float',
  boolean: 'boolean',
  string: 'string',
  char: 'string',
};

/** Parses one header field; throws a plain Error (the caller names the file). */
export function parseHeaderField(field: string, forRelationships: boolean): Column {
  const colon = field.lastIndexOf(':');
  const name = colon < 0 ? field : field.slice(0, colon);
  const spec = colon < 0 ? '' : field.slice(colon + 1);
  const m = /^([A-Za-z_]+)(?:\((.*)\))?(\[\])?$/.exec(spec);
  if (spec === '') {
    if (name === '') throw new Error('a header field has neither a name nor a type');
    return { kind: 'property', name, type: 'string', array: false };
  }
  if (m === null) throw new Error(`header field '${field}': cannot read the type '${spec}'`);
  const word = m[1]!.toUpperCase();
  const space = m[2] ?? '';
  const array = m[3] !== undefined;
  switch (word) {
    case 'ID':
      if (forRelationships) throw new Error(`header field '${field}': :ID belongs in a nodes file`);
      return { kind: 'id', space, property: name === '' ? undefined : name };
    case 'LABEL':
      if (forRelationships) throw new Error(`header field '${field}': :LABEL belongs in a nodes file`);
      return { kind: 'label' };
    case 'START_ID':
    case 'END_ID':
      if (!forRelationships)
        throw new Error(`header field '${field}': :${word} belongs in a relationships file`);
      return word === 'START_ID' ? { kind: 'start', space } : { kind: 'end', space };
    case 'TYPE':
      if (!forRelationships)
        throw new Error(`header field '${field}': :TYPE belongs in a relationships file`);
      return { kind: 'type' };
    case 'IGNORE':
      return { kind: 'ignore' };
    default: {
      const type = TYPE_ALIASES[m[1]!.toLowerCase()];
      if (type === undefined) {
        throw new Error(
          `header field '${field}': type '${m[1]}' is not supported (int, long, float, double, boolean, string, each optionally with [])`,
        );
      }
      if (name === '') throw new Error(`header field '${field}': a property column needs a name`);
      return { kind: 'property', name, type, array };
    }
  }
}

const INT_RE = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function convertScalar(text: string, type: ScalarType): PropertyScalar {
  switch (type) {
    case 'string':
      return text;
    case 'int': {
      const t = text.trim();
      if (!INT_RE.test(t)) throw new RowError(`'${text}' is not an integer`);
      const n = Number(t);
      if (Number.isSafeInteger(n)) return BigInt(n);
      const big = BigInt(t);
      if (big < INT64_MIN || big > INT64_MAX) throw new RowError(`integer ${t} is outside the 64-bit range`);
      return big;
    }
    case 'float': {
      const t = text.trim();
      const x = Number(t);
      if (t === '' || (Number.isNaN(x) && t !== 'NaN')) throw new RowError(`'${text}' is not a number`);
      return x;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw new RowError(`'${text}' is not a boolean (true or false)`);
    }
  }
}

export function convertField(
  text: string,
  type: ScalarType,
  array: boolean,
  arrayDelimiter: string,
): PropertyValue {
  if (!array) return convertScalar(text, type);
  return text.split(arrayDelimiter).map((item) => convertScalar(item, type));
}

/**
 * Splits one record. Returns undefined when a quoted field is still open at the end of
 * `text` (the record continues on the next line; call again with both lines joined by `\n`).
 */
export function splitRecord(text: string, delimiter: string, quote: string): string[] | undefined {
  if (text.indexOf(quote) < 0) return text.split(delimiter);
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text.startsWith(quote, i)) {
      let value = '';
      let j = i + quote.length;
      for (;;) {
        const q = text.indexOf(quote, j);
        if (q < 0) return undefined;
        value += text.slice(j, q);
        if (text.startsWith(quote, q + quote.length)) {
          value += quote;
          j = q + 2 * quote.length;
          continue;
        }
        j = q + quote.length;
        break;
      }
      // Characters between the closing quote and the delimiter are kept, as neo4j does.
      const d = text.indexOf(delimiter, j);
      if (d < 0) {
        out.push(value + text.slice(j));
        return out;
      }
      out.push(value + text.slice(j, d));
      i = d + delimiter.length;
    } else {
      const d = text.indexOf(delimiter, i);
      if (d < 0) {
        out.push(text.slice(i));
        return out;
      }
      out.push(text.slice(i, d));
      i = d + delimiter.length;
    }
    if (i > n) return out;
  }
}
