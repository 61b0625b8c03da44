/**
 * Type conversion functions (toInteger, toFloat, toBoolean, toString, their OrNull and
 * List variants). Unconvertible strings give null; values of a type that can never
 * convert raise TypeError InvalidArgumentValue (TypeConversion2-4).
 */
import type { Value } from '../values.js';
import { integerOverflow } from './errors.js';
import { INT64_MAX, INT64_MIN } from './arithmetic.js';
import { formatScalar } from './format-value.js';
import { badArg, badValue, spec, type FunctionSpec } from './function-spec.js';
import { isTemporalValue } from './temporal/index.js';

const INT_RE = /^\s*[+-]?\d+\s*$/;
// Java Double.parseDouble syntax (decimal only), which is what Neo4j uses for strings.
const FLOAT_RE = /^\s*[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?\s*$/;

export function parseCypherFloat(s: string): number | null {
  if (!FLOAT_RE.test(s)) return null;
  const t = s.trim().replace(/[fFdD]$/, '');
  return Number(t);
}

function floatToInteger(f: number): bigint | null {
  if (Number.isNaN(f)) return null;
  const t = Math.trunc(f);
  if (!Number.isFinite(t)) throw integerOverflow('toInteger()');
  const b = BigInt(t);
  if (b > INT64_MAX || b < INT64_MIN) throw integerOverflow('toInteger()');
  return b;
}

export function toInteger(v: Value): Value {
  switch (typeof v) {
    case 'bigint':
      return v;
    case 'number':
      return floatToInteger(v);
    case 'boolean':
      return v ? 1n : 0n;
    case 'string': {
      if (INT_RE.test(v)) {
        const b = BigInt(v.trim());
        return b > INT64_MAX || b < INT64_MIN ? null : b;
      }
      const f = parseCypherFloat(v);
      if (f === null) return null;
      try {
        return floatToInteger(f);
      } catch {
        return null;
      }
    }
    default:
      break;
  }
  if (v === null) return null;
  return badValue('toInteger', v, 'a STRING, number or BOOLEAN');
}

export function toFloat(v: Value): Value {
  switch (typeof v) {
    case 'number':
      return v;
    case 'bigint':
      return Number(v);
    case 'string':
      return parseCypherFloat(v);
    default:
      break;
  }
  if (v === null) return null;
  return badValue('toFloat', v, 'a STRING or number');
}

export function toBoolean(v: Value): Value {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string': {
      const t = v.trim().toLowerCase();
      return t === 'true' ? true : t === 'false' ? false : null;
    }
    case 'bigint':
      return v !== 0n;
    default:
      break;
  }
  if (v === null) return null;
  return badValue('toBoolean', v, 'a STRING, INTEGER or BOOLEAN');
}

export function toStringValue(v: Value): Value {
  if (typeof v === 'string') return v;
  const scalar = formatScalar(v);
  if (scalar !== undefined) return scalar;
  if (v === null) return null;
  if (isTemporalValue(v)) return v.toString();
  return badValue('toString', v, 'a STRING, number, BOOLEAN or temporal value');
}

function orNull(f: (v: Value) => Value): (v: Value) => Value {
  return (v) => {
    try {
      return f(v);
    } catch {
      return null;
    }
  };
}

function unary(name: string, f: (v: Value) => Value): FunctionSpec {
  return spec(name, 1, 1, (args) => f(args[0] ?? null));
}

function listOf(name: string, f: (v: Value) => Value): FunctionSpec {
  const safe = orNull(f);
  return spec(name, 1, 1, (args) => {
    const l = args[0] ?? null;
    if (l === null) return null;
    if (!Array.isArray(l)) return badArg(name, l, 'a LIST');
    return (l as readonly Value[]).map(safe);
  });
}

export const CONVERSION_FUNCTIONS: readonly FunctionSpec[] = [
  unary('toInteger', toInteger),
  unary('toFloat', toFloat),
  unary('toBoolean', toBoolean),
  unary('toString', toStringValue),
  unary('toIntegerOrNull', orNull(toInteger)),
  unary('toFloatOrNull', orNull(toFloat)),
  unary('toBooleanOrNull', orNull(toBoolean)),
  unary('toStringOrNull', orNull(toStringValue)),
  listOf('toIntegerList', toInteger),
  listOf('toFloatList', toFloat),
  listOf('toBooleanList', toBoolean),
  listOf('toStringList', toStringValue),
];
