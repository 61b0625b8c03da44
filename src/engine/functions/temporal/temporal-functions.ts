/**
 * The temporal scalar functions: `date`, `localtime`, `time`, `localdatetime`,
 * `datetime` (from text, maps, other temporals or the clock), their `.transaction` /
 * `.statement` / `.realtime` and `.truncate` forms, `datetime.fromepoch[millis]`,
 * `duration` and `duration.between` / `inMonths` / `inDays` / `inSeconds`.
 */
import type { Value } from '../../values.js';
import type { FunctionContext } from '../function-context.js';
import { badArg, spec, type FunctionSpec } from '../function-spec.js';
import {
  buildFromMap,
  currentTemporal,
  durationFromMap,
  instantToDateTime,
  parseZone,
  selectFrom,
  truncateTemporal,
} from './temporal-build.js';
import { durationBetween, isPointTemporal, type BetweenMode } from './temporal-ops.js';
import { parseDuration, parseInstant } from './temporal-parse.js';
import type { InstantKind } from './temporal-parts.js';
import { DurationValue } from './temporal-values.js';

function nowNanos(ctx: FunctionContext): bigint {
  return BigInt(Math.trunc(ctx.now)) * 1_000_000n;
}

function realtimeNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function isMap(v: Value): v is ReadonlyMap<string, Value> {
  return v instanceof Map;
}

/** `date(x)` and friends: no argument is now; text parses; a map builds; a temporal selects. */
function constructor(name: string, kind: InstantKind): FunctionSpec {
  return spec(name, 0, 1, (args, ctx) => {
    const now = nowNanos(ctx);
    if (args.length === 0) return currentTemporal(kind, now, undefined);
    const x = args[0] ?? null;
    if (x === null) return null;
    if (typeof x === 'string') return parseInstant(kind, x, Number(now / 1_000_000_000n));
    if (isMap(x)) return buildFromMap(kind, x, now, name);
    if (isPointTemporal(x)) return selectFrom(kind, x, now, name);
    return badArg(name, x, 'a STRING, MAP or temporal value');
  });
}

/** `date.transaction(tz?)` etc.: the clock, optionally in a time zone. */
function clock(name: string, kind: InstantKind, realtime: boolean): FunctionSpec {
  return spec(name, 0, 1, (args, ctx) => {
    const now = realtime ? realtimeNanos() : nowNanos(ctx);
    if (args.length === 0) return currentTemporal(kind, now, undefined);
    const x = args[0] ?? null;
    if (x === null) return null;
    if (typeof x === 'string') return currentTemporal(kind, now, parseZone(x, Number(now / 1_000_000_000n)));
    if (isMap(x)) return buildFromMap(kind, x, now, name);
    return badArg(name, x, 'a time zone STRING');
  });
}

function truncate(name: string, kind: InstantKind): FunctionSpec {
  return spec(name, 2, 3, (args, ctx) => {
    const [unit, t, map] = args;
    if (unit === null || t === null || t === undefined || map === null) return null;
    if (!isPointTemporal(t)) return badArg(name, t, 'a temporal value');
    if (map !== undefined && !isMap(map)) return badArg(name, map, 'a MAP');
    return truncateTemporal(kind, unit ?? null, t, map, nowNanos(ctx), name);
  });
}

function between(name: string, mode: BetweenMode): FunctionSpec {
  return spec(name, 2, 2, (args) => {
    const [a, b] = args;
    if (a === null || b === null || a === undefined || b === undefined) return null;
    if (!isPointTemporal(a)) return badArg(name, a, 'a temporal value');
    if (!isPointTemporal(b)) return badArg(name, b, 'a temporal value');
    return durationBetween(a, b, mode);
  });
}

function epochArg(name: string, v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  return badArg(name, v, 'an INTEGER');
}

const KINDS: readonly [string, InstantKind][] = [
  ['date', 'Date'],
  ['localtime', 'LocalTime'],
  ['time', 'Time'],
  ['localdatetime', 'LocalDateTime'],
  ['datetime', 'DateTime'],
];

function buildTable(): FunctionSpec[] {
  const out: FunctionSpec[] = [];
  for (const [name, kind] of KINDS) {
    out.push(constructor(name, kind));
    out.push(clock(`${name}.transaction`, kind, false));
    out.push(clock(`${name}.statement`, kind, false));
    out.push(clock(`${name}.realtime`, kind, true));
    out.push(truncate(`${name}.truncate`, kind));
  }
  out.push(
    spec('datetime.fromEpoch', 2, 2, (args) => {
      const [s, n] = args;
      if (s === null || n === null || s === undefined || n === undefined) return null;
      const nanos = epochArg('datetime.fromEpoch', s) * 1_000_000_000n + epochArg('datetime.fromEpoch', n);
      return instantToDateTime(nanos, undefined);
    }),
    spec('datetime.fromEpochMillis', 1, 1, (args) => {
      const ms = args[0] ?? null;
      if (ms === null) return null;
      return instantToDateTime(epochArg('datetime.fromEpochMillis', ms) * 1_000_000n, undefined);
    }),
    spec('duration', 1, 1, (args) => {
      const x = args[0] ?? null;
      if (x === null) return null;
      if (typeof x === 'string') return parseDuration(x);
      if (isMap(x)) return durationFromMap(x);
      if (x instanceof DurationValue) return x;
      return badArg('duration', x, 'a STRING or MAP');
    }),
    between('duration.between', 'between'),
    between('duration.inMonths', 'months'),
    between('duration.inDays', 'days'),
    between('duration.inSeconds', 'seconds'),
  );
  return out;
}

export const TEMPORAL_FUNCTIONS: readonly FunctionSpec[] = buildTable();
