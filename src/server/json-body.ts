/**
 * Lossless JSON request bodies. `JSON.parse` loses two things Cypher needs: integers beyond
 * 2^53 (rounded) and the difference between `1` and `1.0` (both become 1). One linear scan
 * finds exactly those number tokens and rewrites them into the documented escapes
 * (`{"$int":"…"}`, `{"$float":"…"}`) before `JSON.parse`, so the rest of the server sees
 * plain JSON with no ambiguity and bodies without such tokens are parsed untouched.
 */
import type { FastifyInstance } from 'fastify';
import { NexusError } from '../errors.js';
import { decodeUtf8Strict } from '../service/valid-utf8.js';

const MAX_SAFE_DIGITS = 15; // every integer of ≤15 digits is below 2^53
/**
 * JSON's number grammar. The scan below is looser (it would take `1.`, `1.e5`, `-01.0`);
 * a token outside the grammar is left as it is, for JSON.parse to refuse — rewriting it
 * into an escape made the server accept text that is not JSON.
 */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Rewrites ambiguous number tokens; returns the input itself when there are none. */
export function escapeAmbiguousNumbers(text: string): string {
  let out: string[] | null = null;
  let last = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c !== 45 /* - */ && !isDigit(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === 45) i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    const intEnd = i;
    let isFloat = false;
    if (i < n && text.charCodeAt(i) === 46 /* . */) {
      isFloat = true;
      i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    const e = i < n ? text.charCodeAt(i) : 0;
    if (e === 101 || e === 69 /* e E */) {
      isFloat = true;
      i++;
      const s = i < n ? text.charCodeAt(i) : 0;
      if (s === 43 || s === 45) i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    const token = text.slice(start, i);
    let replacement: string | null = null;
    if (isFloat) {
      // A float whose value is integral would come out of JSON.parse as an integer.
      if (Number.isInteger(Number(token))) replacement = `{"$float":"${token}"}`;
    } else if (
      intEnd - start - (c === 45 ? 1 : 0) > MAX_SAFE_DIGITS &&
      !Number.isSafeInteger(Number(token))
    ) {
      replacement = `{"$int":"${token}"}`;
    }
    // Checked only for a token being rewritten: one left alone meets JSON.parse itself.
    if (replacement !== null && JSON_NUMBER.test(token)) {
      out ??= [];
      out.push(text.slice(last, start), replacement);
      last = i;
    }
    if (i === start) i++; // a lone character that only looked like a number start
  }
  if (out === null) return text;
  out.push(text.slice(last));
  return out.join('');
}

/** Parses a JSON request body losslessly; malformed JSON is INVALID_BODY. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0)
    throw new NexusError('INVALID_BODY', 'The request body is empty; send a JSON document');
  try {
    return JSON.parse(escapeAmbiguousNumbers(text));
  } catch (err) {
    throw new NexusError('INVALID_BODY', `Malformed JSON: ${(err as Error).message}`);
  }
}

/**
 * Makes `parseJsonBody` the app's only body parser (JSON; anything else is 415). The body
 * arrives as bytes and is decoded strictly: invalid UTF-8 is INVALID_BODY with its offset.
 */
export function useLosslessJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(decodeUtf8Strict(body as Buffer)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
