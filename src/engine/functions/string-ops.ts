/**
 * String predicates (STARTS WITH, ENDS WITH, CONTAINS) and `=~`. Non-string operands
 * give null rather than an error (String8 [8]: every non-string pairing yields null).
 */
import type { Value } from '../values.js';
import { argumentError } from './errors.js';
import {
  MAX_LINEAR_SUBJECT_LENGTH,
  assertBacktrackingAllowed,
  assertSafeRegex,
  assertSubjectLength,
  compileLinear,
  needsUnicodeEngine,
} from './safe-regex.js';

export function stringStartsWith(a: Value, b: Value): boolean | null {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return a.startsWith(b);
}

export function stringEndsWith(a: Value, b: Value): boolean | null {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return a.endsWith(b);
}

export function stringContains(a: Value, b: Value): boolean | null {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return a.includes(b);
}

const REGEX_CACHE_LIMIT = 256;
const regexCache = new Map<string, RegExp>();
/** ReDoS guards of cached patterns: the linear-time twin (if any) and the variable quantifiers. */
const regexGuards = new WeakMap<RegExp, { linear: RegExp | undefined; variable: number }>();

/**
 * Translates a Java regex into a JavaScript one anchored for a full-string match.
 * Leading inline flags `(?i)`, `(?s)`, `(?m)`, `(?u)` become JS flags; other Java-only
 * syntax is passed through and, if JS rejects it, reported as an invalid argument.
 */
export function compileCypherRegex(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  let body = pattern;
  let flags = 'u';
  const m = /^\(\?([imsux]+)\)/.exec(body);
  if (m) {
    body = body.slice(m[0].length);
    for (const f of m[1] ?? '') {
      if (f === 'i' && !flags.includes('i')) flags += 'i';
      if (f === 's' && !flags.includes('s')) flags += 's';
      if (f === 'm' && !flags.includes('m')) flags += 'm';
    }
  }
  const variable = assertSafeRegex(body, flags.includes('i'), pattern);
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${body})$`, flags);
  } catch {
    try {
      // Java accepts escapes that the stricter unicode mode rejects (e.g. `\-` outside a class).
      re = new RegExp(`^(?:${body})$`, flags.replace('u', ''));
    } catch (err) {
      throw argumentError('InvalidArgumentValue', `invalid regular expression '${pattern}': ${String(err)}`);
    }
  }
  if (regexCache.size >= REGEX_CACHE_LIMIT) {
    const first = regexCache.keys().next().value;
    if (first !== undefined) regexCache.delete(first);
  }
  regexCache.set(pattern, re);
  regexGuards.set(re, { linear: compileLinear(re.source, re.flags), variable });
  return re;
}

/** `=~`: full-string match; null when either side is not a string. */
export function regexMatch(a: Value, b: Value): boolean | null {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  const re = compileCypherRegex(b);
  // One RegExp call cannot be interrupted by the query timeout: prefer the linear-time
  // engine, and bound the subject when the backtracking engine has to run.
  const guard = regexGuards.get(re);
  const variable = guard?.variable ?? 0;
  try {
    // One variable quantifier, none nested: backtracking stays linear, and V8's
    // backtracking engine is far faster than its linear-time one.
    if (variable <= 1) return re.test(a);
    if (guard?.linear && !needsUnicodeEngine(a)) {
      assertSubjectLength(b, a, MAX_LINEAR_SUBJECT_LENGTH);
      return guard.linear.test(a);
    }
    assertBacktrackingAllowed(b, variable, a);
    return re.test(a);
  } catch (err) {
    // Irregexp's own backtracking stack can overflow on a long subject (`(?:a|b)*c`).
    if (err instanceof RangeError) {
      throw argumentError(
        'InvalidArgumentValue',
        `=~ '${b.slice(0, 80)}' needs too much backtracking state on a string of ${a.length} characters`,
      );
    }
    throw err;
  }
}
