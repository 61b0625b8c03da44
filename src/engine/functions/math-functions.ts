/**
 * Numeric functions. Results follow Neo4j: abs/sign keep INTEGER, ceil/floor/round and
 * the transcendental functions return FLOAT.
 */
import type { Value } from '../values.js';
import { argumentError } from './errors.js';
import { checkInt } from './arithmetic.js';
import {
  expectFloat,
  expectInteger,
  expectNumber,
  expectString,
  spec,
  type FunctionSpec,
} from './function-spec.js';

function floatFn(name: string, f: (x: number) => number): FunctionSpec {
  return spec(name, 1, 1, (args) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    return f(expectFloat(name, v));
  });
}

function abs(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  const n = expectNumber('abs', v);
  if (typeof n === 'bigint') return checkInt(n < 0n ? -n : n, 'abs()');
  return Math.abs(n);
}

function sign(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  const n = expectNumber('sign', v);
  if (typeof n === 'bigint') return n > 0n ? 1n : n < 0n ? -1n : 0n;
  return n > 0 ? 1n : n < 0 ? -1n : 0n;
}

const ROUNDING_MODES = new Set(['UP', 'DOWN', 'CEILING', 'FLOOR', 'HALF_UP', 'HALF_DOWN', 'HALF_EVEN']);

/**
 * Decimal rounding of the shortest decimal form of `x` (what Java's
 * BigDecimal.valueOf(double) sees), so round(2.675, 2) is 2.68 as in Neo4j rather than
 * the 2.67 binary rounding would give.
 */
export function roundDecimal(x: number, precision: number, mode: string): number {
  if (!Number.isFinite(x)) return x;
  const [mant, expPart] = x.toExponential().split('e') as [string, string];
  const negative = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  // value = digits * 10^(exp - (digits.length - 1))
  const scale = Number(expPart) - (digits.length - 1);
  const unscaled = BigInt(digits);
  const drop = -precision - scale; // number of decimal digits to drop
  if (drop <= 0) return x;
  const div = 10n ** BigInt(drop);
  let q = unscaled / div;
  const r = unscaled % div;
  if (r !== 0n) {
    const twice = r * 2n;
    const half = twice === div ? 0 : twice > div ? 1 : -1;
    let up: boolean;
    switch (mode) {
      case 'UP':
        up = true;
        break;
      case 'DOWN':
        up = false;
        break;
      case 'CEILING':
        up = !negative;
        break;
      case 'FLOOR':
        up = negative;
        break;
      case 'HALF_DOWN':
        up = half > 0;
        break;
      case 'HALF_EVEN':
        up = half > 0 || (half === 0 && q % 2n === 1n);
        break;
      default:
        up = half >= 0;
    }
    if (up) q += 1n;
  }
  const magnitude = Number(`${q}e${-precision}`);
  // BigDecimal has no negative zero, so a result that rounds to zero is +0.0.
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

function round(args: readonly Value[]): Value {
  const [v, p, m] = args;
  if (v === null || v === undefined || p === null || m === null) return null;
  const x = expectFloat('round', v);
  // `+ 0` turns -0 into 0: Java's Math.round yields a long, so Neo4j never returns -0.0 here.
  if (p === undefined) return Math.round(x) + 0;
  const precision = expectInteger('round', p);
  if (precision < -1000n || precision > 1000n) {
    throw argumentError('NumberOutOfRange', `round() precision out of range: ${precision}`);
  }
  // Without a mode, round(x, p) rounds halves up as round(x) does (towards positive
  // infinity): Neo4j 5 gives round(-1.5, 0) = -1.0, the same as round(-1.5).
  const mode = m === undefined ? (x < 0 ? 'HALF_DOWN' : 'HALF_UP') : expectString('round', m).toUpperCase();
  if (!ROUNDING_MODES.has(mode)) {
    throw argumentError('InvalidArgumentValue', `round() unknown rounding mode '${mode}'`);
  }
  return roundDecimal(x, Number(precision), mode);
}

function atan2(args: readonly Value[]): Value {
  const [y, x] = args;
  if (y === null || x === null || y === undefined || x === undefined) return null;
  return Math.atan2(expectFloat('atan2', y), expectFloat('atan2', x));
}

function isNaNFn(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  const n = expectNumber('isNaN', v);
  return typeof n === 'number' && Number.isNaN(n);
}

export const MATH_FUNCTIONS: readonly FunctionSpec[] = [
  spec('abs', 1, 1, abs),
  spec('sign', 1, 1, sign),
  floatFn('ceil', Math.ceil),
  floatFn('floor', Math.floor),
  spec('round', 1, 3, round),
  floatFn('sqrt', Math.sqrt),
  floatFn('exp', Math.exp),
  floatFn('log', Math.log),
  floatFn('log10', Math.log10),
  floatFn('sin', Math.sin),
  floatFn('cos', Math.cos),
  floatFn('tan', Math.tan),
  floatFn('asin', Math.asin),
  floatFn('acos', Math.acos),
  floatFn('atan', Math.atan),
  floatFn('cot', (x) => 1 / Math.tan(x)),
  floatFn('degrees', (x) => (x * 180) / Math.PI),
  floatFn('radians', (x) => (x * Math.PI) / 180),
  floatFn('haversin', (x) => (1 - Math.cos(x)) / 2),
  spec('atan2', 2, 2, atan2),
  spec('isNaN', 1, 1, isNaNFn),
  spec('e', 0, 0, () => Math.E),
  spec('pi', 0, 0, () => Math.PI),
  spec('rand', 0, 0, (_args, ctx) => ctx.random()),
];
