/**
 * List functions and the general-purpose ones that work on several types (size,
 * reverse, coalesce, isEmpty, timestamp, randomUUID, nullIf).
 */
import { randomUUID } from 'node:crypto';
import type { Value } from '../values.js';
import { argumentError } from './errors.js';
import { checkInt } from './arithmetic.js';
import type { FunctionContext } from './function-context.js';
import { badArg, expectList, spec, type FunctionSpec } from './function-spec.js';
import { codePointLength, reverseString } from './string-functions.js';
import { equals } from './value-equality.js';
import { valueTypeDescription } from './type-name.js';

/** Guard against range() lists that would exhaust memory before any row cap applies. */
export const MAX_RANGE_SIZE = 50_000_000;

function rangeArg(v: Value | undefined): bigint {
  if (typeof v === 'bigint') return v;
  const t = v === undefined ? 'nothing' : v === null ? 'NULL' : typeof v === 'number' ? 'FLOAT' : typeof v;
  throw argumentError('InvalidArgumentType', `range() expects INTEGER arguments, got ${t}`);
}

/** Validated range() arguments: the first element, the step and the element count. */
export function rangeBounds(args: readonly Value[]): { start: bigint; step: bigint; count: bigint } {
  const start = rangeArg(args[0]);
  const end = rangeArg(args[1]);
  const step = args.length > 2 ? rangeArg(args[2]) : 1n;
  if (step === 0n) throw argumentError('NumberOutOfRange', 'range() step must not be zero');
  const count =
    step > 0n
      ? end >= start
        ? (end - start) / step + 1n
        : 0n
      : start >= end
        ? (start - end) / -step + 1n
        : 0n;
  return { start, step, count };
}

export function range(args: readonly Value[], ctx?: FunctionContext): Value {
  const { start, step, count } = rangeBounds(args);
  if (count > BigInt(MAX_RANGE_SIZE)) {
    throw argumentError(
      'NumberOutOfRange',
      `range() would produce ${count} elements (limit ${MAX_RANGE_SIZE})`,
    );
  }
  const n = Number(count);
  // ~32 bytes per element (a slot and a boxed integer): refuse before allocating.
  ctx?.checkMemory?.(n * 32);
  const out = new Array<bigint>(n);
  let x = start;
  for (let i = 0; i < n; i++) {
    // Building 50M elements takes seconds: respect the query timeout while doing it.
    if ((i & 0xffff) === 0xffff) ctx?.checkDeadline?.();
    out[i] = x;
    x += step;
  }
  return out;
}

function size(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  if (typeof v === 'string') return BigInt(codePointLength(v));
  if (Array.isArray(v)) return BigInt(v.length);
  return badArg('size', v, 'a STRING or LIST');
}

function reverse(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  if (typeof v === 'string') return reverseString(v);
  if (Array.isArray(v)) return [...(v as readonly Value[])].reverse();
  return badArg('reverse', v, 'a STRING or LIST');
}

function listFn(name: string, f: (l: readonly Value[]) => Value): FunctionSpec {
  return spec(name, 1, 1, (args) => {
    const v = args[0] ?? null;
    if (v === null) return null;
    return f(expectList(name, v));
  });
}

function isEmpty(args: readonly Value[]): Value {
  const v = args[0] ?? null;
  if (v === null) return null;
  if (typeof v === 'string') return v.length === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  return badArg('isEmpty', v, 'a STRING, LIST or MAP');
}

export const LIST_FUNCTIONS: readonly FunctionSpec[] = [
  spec('size', 1, 1, size),
  spec('reverse', 1, 1, reverse),
  listFn('head', (l) => (l.length === 0 ? null : (l[0] ?? null))),
  listFn('last', (l) => (l.length === 0 ? null : (l[l.length - 1] ?? null))),
  listFn('tail', (l) => l.slice(1)),
  spec('range', 2, 3, range),
  spec('coalesce', 1, Infinity, (args) => {
    for (const a of args) if (a !== null) return a;
    return null;
  }),
  spec('isEmpty', 1, 1, isEmpty),
  spec('valueType', 1, 1, (args) => valueTypeDescription(args[0] ?? null)),
  spec('nullIf', 2, 2, (args) => {
    const a = args[0] ?? null;
    return equals(a, args[1] ?? null) === true ? null : a;
  }),
  spec('timestamp', 0, 0, (_args, ctx) => checkInt(BigInt(Math.trunc(ctx.now)), 'timestamp()')),
  spec('randomUUID', 0, 0, () => randomUUID()),
];
