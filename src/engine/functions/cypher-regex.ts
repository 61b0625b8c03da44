/**
 * Regular expressions for `=~` (and any function taking a pattern), on RE2 (`re2js`, pure
 * JavaScript): matching is linear in the subject, so no pattern can backtrack
 * catastrophically and freeze the process. Neo4j patterns are Java patterns; this module
 * translates the Java-only syntax RE2 can express and refuses, with an ArgumentError that
 * names the construct, what it cannot:
 *
 * - inline flags `(?i)`, `(?m)`, `(?s)` (anywhere, also `(?i:…)` and `(?-i)`) are RE2's own;
 *   `(?u)`, `(?U)` and `(?d)` are accepted and have no effect (RE2 is Unicode-aware
 *   throughout, so `(?i)` folds non-ASCII letters even without `(?u)`); `(?x)` (comments
 *   mode) is supported as a leading flag: unescaped whitespace and `#` comments outside
 *   character classes are removed;
 * - backreferences (`\1`, `\k<name>`), lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), atomic
 *   groups `(?>` and possessive quantifiers (`a*+`) have no linear-time algorithm: refused.
 *
 * `=~` matches the whole string (Java's `Matcher.matches`). The work of one match is
 * bounded by subject length × program size (RE2's NFA fallback is O(n·m) and one call
 * cannot be interrupted), so that product is capped at `MAX_REGEX_WORK`. Compiled patterns
 * are kept in a small LRU cache.
 */
import { RE2JS } from 're2js';
import { argumentError } from './errors.js';

/** Longest pattern accepted at all. */
export const MAX_REGEX_PATTERN_LENGTH = 10_000;
/**
 * Upper bound of subject characters × program instructions for one match: ~0.5 s in the
 * worst case (RE2's NFA), far above any ordinary pattern on any ordinary string.
 */
export const MAX_REGEX_WORK = 500_000_000;
/** Compiled patterns kept (least recently used evicted first). */
export const REGEX_CACHE_SIZE = 256;

function clip(pattern: string): string {
  return pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern;
}

function refuse(pattern: string, what: string): never {
  throw argumentError(
    'InvalidArgumentValue',
    `regular expression '${clip(pattern)}' uses ${what}, which the linear-time regex engine (RE2) ` +
      'cannot run (see "Regular expressions" in docs/CYPHER.md)',
  );
}

/** Removes whitespace and `#` comments outside character classes (Java's COMMENTS flag). */
function stripComments(body: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      out += body.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (body[i + 1] === ']' || (body[i + 1] === '^' && body[i + 2] === ']')) {
        const n = body[i + 1] === '^' ? 2 : 1;
        out += body.slice(i + 1, i + 1 + n);
        i += n;
      }
      continue;
    }
    if (c === '#') {
      while (i < body.length && body[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) continue;
    out += c;
  }
  return out;
}

/**
 * Java pattern → RE2 pattern (see the module comment). Linear in the pattern length.
 * Exported for tests.
 */
export function translateJavaRegex(pattern: string): string {
  let body = pattern;
  // Leading flags may turn on comments mode, which changes how the rest is read.
  const lead = /^\(\?([idmsuxU]+)\)/.exec(body);
  if (lead && lead[1]!.includes('x')) {
    body = `(?${lead[1]!.replace(/x/g, '')})${stripComments(body.slice(lead[0].length))}`;
  }
  let out = '';
  let inClass = false;
  let afterQuantifier = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      const n = body[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(n) || (n === 'k' && body[i + 2] === '<')))
        refuse(pattern, 'a backreference');
      if (n === 'Q') {
        // \Q…\E quotes literally: copy through unchanged.
        const end = body.indexOf('\\E', i + 2);
        const stop = end < 0 ? body.length : end + 2;
        out += body.slice(i, stop);
        i = stop - 1;
      } else {
        out += body.slice(i, i + 2);
        i++;
      }
      afterQuantifier = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal.
      if (body[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (body[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      afterQuantifier = false;
      continue;
    }
    if (c === '+' && afterQuantifier) refuse(pattern, 'a possessive quantifier');
    if (c === '(' && body[i + 1] === '?') {
      const rest = body.slice(i + 2, i + 24);
      if (/^(?:[=!]|<[=!])/.test(rest)) refuse(pattern, 'lookaround');
      if (rest.startsWith('>')) refuse(pattern, 'an atomic group');
      const flags = /^([idmsuxU]*)(?:-([idmsuxU]*))?([:)])/.exec(rest);
      if (flags && (flags[1] !== '' || flags[2] !== undefined)) {
        const on = flags[1]!;
        const off = flags[2] ?? '';
        if (on.includes('x') && !(i === 0 && lead)) refuse(pattern, '(?x) other than as a leading flag');
        const keep = (s: string) => s.replace(/[duxU]/g, '');
        const flagText = keep(on) + (keep(off) ? `-${keep(off)}` : '');
        if (flags[3] === ')') {
          if (flagText !== '') out += `(?${flagText})`;
        } else out += flagText === '' ? '(?:' : `(?${flagText}:`;
        i += 1 + flags[0].length;
        afterQuantifier = false;
        continue;
      }
    }
    out += c;
    if (c === '*' || c === '+' || c === '?') {
      // `(?` is a group prefix, `*?` a lazy quantifier: neither is followed by a possessive `+`.
      afterQuantifier = !(c === '?' && (afterQuantifier || body[i - 1] === '('));
    } else if (c === '}') {
      afterQuantifier = /\{\d+(?:,\d*)?$/.test(out.slice(-24, -1));
    } else afterQuantifier = false;
  }
  return out;
}

interface Compiled {
  readonly re: RE2JS;
  /** Instructions in the compiled program (cost of one NFA step per character). */
  readonly size: number;
}

const cache = new Map<string, Compiled>();

/** Program size of a compiled pattern (re2js keeps it internal; the pattern length otherwise). */
function programSize(re: RE2JS, fallback: number): number {
  const internal = re as unknown as { re2Input?: { prog?: { numInst?: () => number } } };
  const n = internal.re2Input?.prog?.numInst?.();
  return typeof n === 'number' && n > 0 ? n : fallback;
}

/** Compiles (or returns the cached) RE2 program for a Java pattern; ArgumentError when it cannot. */
export function compileCypherRegex(pattern: string): RE2JS {
  return compiled(pattern).re;
}

function compiled(pattern: string): Compiled {
  const hit = cache.get(pattern);
  if (hit) {
    // LRU: move to the most recent end.
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  if (pattern.length > MAX_REGEX_PATTERN_LENGTH) {
    throw argumentError(
      'InvalidArgumentValue',
      `regular expression '${clip(pattern)}' is longer than ${MAX_REGEX_PATTERN_LENGTH} characters`,
    );
  }
  const source = translateJavaRegex(pattern);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw argumentError('InvalidArgumentValue', `invalid regular expression '${clip(pattern)}': ${why}`);
  }
  const entry = { re, size: programSize(re, source.length) };
  if (cache.size >= REGEX_CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(pattern, entry);
  return entry;
}

/** Whole-string match of `subject` against the Java `pattern` (Neo4j's `=~`). */
export function matchesWhole(pattern: string, subject: string): boolean {
  const c = compiled(pattern);
  if (subject.length * c.size > MAX_REGEX_WORK) {
    throw argumentError(
      'InvalidArgumentValue',
      `=~ '${clip(pattern)}' on a string of ${subject.length} characters: the pattern compiles to ` +
        `${c.size} instructions and one match may do at most ${MAX_REGEX_WORK} instruction steps ` +
        '(use a shorter string or a simpler pattern; see "Regular expressions" in docs/CYPHER.md)',
    );
  }
  return c.re.testExact(subject);
}
