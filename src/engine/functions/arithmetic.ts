/**
 * Cypher arithmetic operators. INTEGER results are checked against the signed 64-bit
 * range and raise ArithmeticError IntegerOverflow instead of widening to FLOAT.
 */
import { NexusError } from '../../errors.js';
import type { Value } from '../values.js';
import { arithmeticError, integerOverflow, typeError } from './errors.js';
import { typeName } from './type-name.js';
import { temporalAdd, temporalDivide, temporalMultiply, temporalSubtract } from './temporal/index.js';

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/** Returns `r` when it fits in a signed 64-bit integer, else throws IntegerOverflow. */
export function checkInt(r: bigint, op = 'arithmetic'): bigint {
  if (r > INT64_MAX || r < INT64_MIN) throw integerOverflow(op);
  return r;
}

function mismatch(op: string, a: Value, b: Value): never {
  throw typeError('InvalidArgumentType', `cannot apply '${op}' to ${typeName(a)} and ${typeName(b)}`);
}

function isNum(v: Value): v is bigint | number {
  const t = typeof v;
  return t === 'bigint' || t === 'number';
}

/**
 * Longest string `+` builds. Without a bound, doubling a string in reduce() reaches V8's
 * limit and surfaces as an internal error (500) after allocating hundreds of megabytes.
 */
export const MAX_CONCAT_LENGTH = 1 << 26;

function concat(a: string, b: string): string {
  if (a.length + b.length > MAX_CONCAT_LENGTH) {
    throw new NexusError(
      'QUERY_MEMORY_LIMIT',
      `String concatenation would exceed ${MAX_CONCAT_LENGTH} characters`,
    );
  }
  return a + b;
}

/**
 * `+`: numbers; STRING + STRING/number and number + STRING concatenate (Neo4j renders
 * the number with toString); LIST + LIST concatenates, LIST + x appends, x + LIST
 * prepends (List4 [2]). Null on either side gives null.
 */
export function add(a: Value, b: Value): Value {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'bigint' && tb === 'bigint') return checkInt((a as bigint) + (b as bigint), '+');
  if (ta === 'number' && tb === 'number') return (a as number) + (b as number);
  if (ta === 'string' && tb === 'string') return concat(a as string, b as string);
  if (a === null || b === null) return null;
  if (isNum(a) && isNum(b)) return Number(a) + Number(b);
  if (Array.isArray(a))
    return Array.isArray(b) ? [...(a as Value[]), ...(b as Value[])] : [...(a as Value[]), b];
  if (Array.isArray(b)) return [a, ...(b as Value[])];
  if (ta === 'string' && isNum(b)) return concat(a as string, numberToString(b));
  if (tb === 'string' && isNum(a)) return concat(numberToString(a), b as string);
  return temporalAdd(a, b) ?? mismatch('+', a, b);
}

export function subtract(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a - b, '-');
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || b === null) return null;
  if (isNum(a) && isNum(b)) return Number(a) - Number(b);
  return temporalSubtract(a, b) ?? mismatch('-', a, b);
}

export function multiply(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a * b, '*');
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a === null || b === null) return null;
  if (isNum(a) && isNum(b)) return Number(a) * Number(b);
  return temporalMultiply(a, b) ?? mismatch('*', a, b);
}

/** `/`: INTEGER / INTEGER truncates toward zero; INTEGER division by zero is an ArithmeticError. */
export function divide(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) throw arithmeticError('DivisionByZero', '/ by zero');
    return checkInt(a / b, '/');
  }
  if (typeof a === 'number' && typeof b === 'number') return a / b;
  if (a === null || b === null) return null;
  if (isNum(a) && isNum(b)) return Number(a) / Number(b);
  return temporalDivide(a, b) ?? mismatch('/', a, b);
}

/** `%`: sign follows the dividend (as Java's and JavaScript's remainder do). */
export function modulo(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) throw arithmeticError('DivisionByZero', '% by zero');
    return a % b;
  }
  if (typeof a === 'number' && typeof b === 'number') return a % b;
  if (a === null || b === null) return null;
  if (isNum(a) && isNum(b)) return Number(a) % Number(b);
  return mismatch('%', a, b);
}

/** `^`: always FLOAT. */
export function power(a: Value, b: Value): Value {
  if (a === null || b === null) return null;
  if (isNum(a) && isNum(b)) return Math.pow(Number(a), Number(b));
  return mismatch('^', a, b);
}

/** Unary minus. */
export function negate(a: Value): Value {
  if (typeof a === 'bigint') return checkInt(-a, 'unary -');
  if (typeof a === 'number') return -a;
  if (a === null) return null;
  throw typeError('InvalidArgumentType', `cannot negate ${typeName(a)}`);
}

/** Unary plus: a no-op on numbers, a TypeError on anything else. */
export function unaryPlus(a: Value): Value {
  if (a === null || isNum(a)) return a;
  throw typeError('InvalidArgumentType', `cannot apply unary + to ${typeName(a)}`);
}

function numberToString(n: bigint | number): string {
  return typeof n === 'bigint' ? n.toString() : formatFloat(n);
}

/**
 * FLOAT rendering shared with toString(): always shows a fraction or exponent so a FLOAT
 * never reads as an INTEGER (`1.0`, `1.0E20`, `1.5E-7`), as Java's Double.toString does.
 */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return 'Infinity';
  if (f === -Infinity) return '-Infinity';
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(f);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(f);
    return s.includes('.') ? s : s + '.0';
  }
  // Java switches to scientific notation outside [1e-3, 1e7): mantissa with at least one
  // fractional digit, exponent without '+'.
  const [mant, exp] = f.toExponential().split('e') as [string, string];
  const m = mant.includes('.') ? mant : mant + '.0';
  return m + 'E' + (exp.startsWith('+') ? exp.slice(1) : exp);
}
