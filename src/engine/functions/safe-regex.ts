/**
 * ReDoS protection for `=~`. JavaScript regexes backtrack, and one `RegExp.exec` cannot be
 * interrupted by the query timeout, so a pattern like `(a+)+$` against 35 characters
 * freezes the whole process (every tenant) for minutes. Policy:
 *
 * 1. Patterns whose structure allows exponential backtracking are rejected up front with
 *    ArgumentError: backreferences, a repeated group that itself contains a repetition
 *    (`(a+)+`, `(a*b?)*`, `(x{1,9}){2,}`), and a repeated alternation whose branches are
 *    not distinct literals (`(a|aa)+`, `(\w|x)*`; `(cat|dog)+` is fine).
 * 2. At most `MAX_UNBOUNDED_QUANTIFIERS` unbounded quantifiers per pattern.
 * 3. A pattern with at most one choice point (a variable quantifier `?`, `*`, `+`, `{n,m}`,
 *    or an alternation group whose branches are not distinct literals; none nested)
 *    backtracks at most linearly: it runs on V8's fast backtracking engine, on any subject.
 *    (Two are enough for trouble: `x?a{0,100}a*b` takes seconds on 16 M characters, and
 *    thirty `a?` — or thirty `(a|a)` — in a row are exponential.)
 * 4. Otherwise, where V8's linear-time engine is available (the `l` flag) and can run the
 *    pattern, it does, so polynomial blow-ups (`.*.*.*x` is cubic) cannot happen either. That
 *    engine is slow (~0.1 µs per character, and one call cannot be interrupted), so the
 *    subject is capped at `MAX_LINEAR_SUBJECT_LENGTH`.
 * 5. Otherwise (lookarounds, a non-ASCII pattern, a subject with surrogate pairs, or no
 *    linear engine), the subject is capped at `MAX_REGEX_SUBJECT_LENGTH` and the pattern at
 *    `MAX_BACKTRACKING_QUANTIFIERS` variable quantifiers: quadratic on 10,000 characters is
 *    ~0.1 s, cubic on 2,000 is seconds.
 */
import { setFlagsFromString } from 'node:v8';
import { argumentError } from './errors.js';

export const MAX_UNBOUNDED_QUANTIFIERS = 6;
/** Longest string `=~` matches with the backtracking engine (patterns of rule 5). */
export const MAX_REGEX_SUBJECT_LENGTH = 10_000;
/** Longest string `=~` matches with the linear-time engine (~0.1 s). */
export const MAX_LINEAR_SUBJECT_LENGTH = 1_000_000;
/** Variable quantifiers a pattern may have when the backtracking engine runs it (rule 5). */
export const MAX_BACKTRACKING_QUANTIFIERS = 2;
/** Longest pattern accepted at all. */
export const MAX_REGEX_PATTERN_LENGTH = 10_000;

/** What the analysis knows about one `( … )` group (or the whole pattern) while scanning. */
interface Frame {
  /** Some atom inside is quantified (even `?`: `(a?a?)+` is ambiguous), here or in a nested group. */
  repeats: boolean;
  /** Branches so far, each summarised as literal text or `null` (not a plain literal). */
  branches: (string | null)[];
  /** The current branch: its literal text so far, or null once it stops being literal. */
  current: string | null;
}

interface Atom {
  /** For a group: the closed frame; undefined for a single character, class or escape. */
  group?: Frame;
}

function reject(pattern: string, why: string): never {
  throw argumentError(
    'InvalidArgumentValue',
    `regular expression '${pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern}' is not allowed: ${why} ` +
      '(it could backtrack catastrophically; see "Resource limits" in docs/CYPHER.md)',
  );
}

/** True when the branches of a repeated alternation cannot match the same text in two ways. */
function distinctLiteralBranches(frame: Frame, ignoreCase: boolean): boolean {
  const firsts = new Set<string>();
  for (const b of frame.branches) {
    if (b === null || b.length === 0) return false;
    const c = ignoreCase ? b[0]!.toLowerCase() : b[0]!;
    if (firsts.has(c)) return false;
    firsts.add(c);
  }
  return true;
}

/**
 * Throws ArgumentError when `body` (the pattern without leading inline flags) could
 * backtrack catastrophically; returns its number of variable quantifiers (`?`, `*`, `+`,
 * `{n,m}`: each a choice point of the backtracking engine). Linear in the pattern length.
 */
export function assertSafeRegex(body: string, ignoreCase: boolean, original: string = body): number {
  if (body.length > MAX_REGEX_PATTERN_LENGTH) {
    reject(original, `longer than ${MAX_REGEX_PATTERN_LENGTH} characters`);
  }
  const stack: Frame[] = [{ repeats: false, branches: [], current: '' }];
  let last: Atom | undefined;
  let unbounded = 0;
  let variable = 0;
  const top = () => stack[stack.length - 1]!;
  const literal = (ch: string) => {
    const f = top();
    if (f.current !== null) f.current += ch;
    last = {};
  };
  const opaque = () => {
    top().current = null;
    last = {};
  };

  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === '\\') {
      const n = body[i + 1] ?? '';
      if (/[1-9]/.test(n) || (n === 'k' && body[i + 2] === '<')) reject(original, 'backreferences');
      if ((n === 'p' || n === 'P' || n === 'u' || n === 'x') && body[i + 2] === '{') {
        const close = body.indexOf('}', i + 3);
        i = close < 0 ? body.length : close + 1;
      } else if (n === 'x') i += 4;
      else if (n === 'u') i += 6;
      else i += 2;
      // An escaped punctuation character is a literal; \d, \w, ... are classes.
      if (/^[^A-Za-z0-9]$/.test(n)) literal(n);
      else opaque();
      continue;
    }
    if (c === '[') {
      let j = i + 1;
      if (body[j] === '^') j++;
      if (body[j] === ']') j++;
      let depth = 1;
      while (j < body.length && depth > 0) {
        if (body[j] === '\\') j++;
        else if (body[j] === '[') depth++;
        else if (body[j] === ']') depth--;
        j++;
      }
      i = j;
      opaque();
      continue;
    }
    if (c === '(') {
      if (body[i + 1] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name> : skip the group's prefix.
        const m = /^\(\?(?::|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>|[a-zA-Z-]*:)?/.exec(body.slice(i, i + 40));
        i += m ? m[0].length : 2;
      } else i++;
      stack.push({ repeats: false, branches: [], current: '' });
      last = undefined;
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) {
        i++;
        opaque();
        continue;
      }
      const f = stack.pop()!;
      f.branches.push(f.current);
      // An ambiguous alternation is a choice point like a quantifier: `(a|a)(a|a)…(a|a)b`
      // backtracks 2^k times without any quantifier.
      if (f.branches.length > 1 && !distinctLiteralBranches(f, ignoreCase)) variable++;
      const parent = top();
      if (f.repeats) parent.repeats = true;
      parent.current = null;
      last = { group: f };
      i++;
      continue;
    }
    if (c === '|') {
      const f = top();
      f.branches.push(f.current);
      f.current = '';
      last = undefined;
      i++;
      continue;
    }
    const q = /^(?:\*|\+|\?|\{(\d+)(?:(,)(\d*))?\})[?+]?/.exec(body.slice(i, i + 30));
    if (q && (c !== '{' || q[1] !== undefined)) {
      const isBraces = c === '{';
      const max = !isBraces
        ? c === '?'
          ? 1
          : Infinity
        : q[2] === undefined
          ? Number(q[1])
          : q[3] === ''
            ? Infinity
            : Number(q[3]);
      const min = !isBraces ? (c === '+' ? 1 : 0) : Number(q[1]);
      if (min !== max) variable++;
      if (max === Infinity) {
        unbounded++;
        if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
          reject(original, `more than ${MAX_UNBOUNDED_QUANTIFIERS} unbounded quantifiers`);
        }
      }
      const g = last?.group;
      if (max > 1 && g?.repeats) {
        reject(original, 'a repeated group contains another quantifier (nested quantifiers)');
      }
      if (max > 1 && g && g.branches.length > 1 && !distinctLiteralBranches(g, ignoreCase)) {
        reject(original, 'a repeated alternation whose branches can match the same text');
      }
      top().repeats = true;
      top().current = null;
      last = undefined;
      i += q[0].length;
      continue;
    }
    literal(c);
    i++;
  }
  return variable;
}

/** Whether V8's linear-time regex engine (`l` flag) can be used in this process. */
export const linearEngineAvailable: boolean = (() => {
  try {
    // The flag only gates the `l` flag at RegExp construction; it changes nothing else.
    setFlagsFromString('--enable-experimental-regexp-engine');
    // A variable flag: eslint's no-invalid-regexp does not know V8's `l` flag.
    const linearFlag = 'l';
    return new RegExp('a', linearFlag).test('a');
  } catch {
    return false;
  }
})();

/**
 * The same anchored pattern on the linear-time engine, or undefined when V8 cannot run it
 * linearly (lookarounds, unicode-only syntax) or the engine is unavailable. The linear
 * engine has no unicode mode, so only ASCII patterns qualify; subjects containing
 * surrogate pairs still go to the unicode-mode regex (see `needsUnicodeEngine`).
 */
export function compileLinear(source: string, flags: string): RegExp | undefined {
  if (!linearEngineAvailable || !/^[\x20-\x7e]*$/.test(source) || /\\[pPu]/.test(source)) return undefined;
  try {
    return new RegExp(source, `${flags.replace('u', '')}l`);
  } catch {
    return undefined;
  }
}

/** Subjects with surrogate pairs behave differently without unicode mode. */
export function needsUnicodeEngine(subject: string): boolean {
  return /[\ud800-\udfff]/.test(subject);
}

/** Throws when a subject is longer than `limit` for this pattern. */
export function assertSubjectLength(pattern: string, subject: string, limit: number): void {
  if (subject.length > limit) {
    throw argumentError(
      'InvalidArgumentValue',
      `=~ '${pattern.slice(0, 80)}' on a string of ${subject.length} characters: the limit for this ` +
        `pattern is ${limit} (see "Resource limits" in docs/CYPHER.md)`,
    );
  }
}

/** Throws when the backtracking engine may not run this pattern on this subject. */
export function assertBacktrackingAllowed(pattern: string, variable: number, subject: string): void {
  assertSubjectLength(pattern, subject, MAX_REGEX_SUBJECT_LENGTH);
  if (variable > MAX_BACKTRACKING_QUANTIFIERS) {
    reject(
      pattern,
      `more than ${MAX_BACKTRACKING_QUANTIFIERS} quantifiers or ambiguous alternations in a pattern that needs the backtracking ` +
        'engine (lookaround, non-ASCII pattern or surrogate pairs in the string)',
    );
  }
}
