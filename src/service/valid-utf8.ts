/**
 * Strict UTF-8 decoding for every protocol door (HTTP and MCP bodies, Bolt and RPC frames):
 * invalid UTF-8 is refused with `INVALID_BODY` naming the byte offset of the first bad
 * sequence, instead of being stored as U+FFFD replacement characters.
 */
import { NexusError } from '../errors.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Byte offset of the first invalid UTF-8 sequence in `bytes`, or -1 when all of it is
 * valid (overlong forms, surrogates and code points above U+10FFFF are invalid, as in
 * the WHATWG decoder). Linear.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = i + k < n ? bytes[i + k]! : -1;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Throws `INVALID_BODY` (with `details.offset`) unless `bytes` is valid UTF-8. */
export function assertValidUtf8(bytes: Uint8Array, what = 'The request body'): void {
  const offset = firstInvalidUtf8(bytes);
  if (offset >= 0) {
    throw new NexusError(
      'INVALID_BODY',
      `${what} is not valid UTF-8 (first invalid byte at offset ${offset})`,
      {
        details: { offset },
      },
    );
  }
}

/** Decodes UTF-8 strictly: the text, or `INVALID_BODY` naming the first invalid byte's offset. */
export function decodeUtf8Strict(bytes: Uint8Array, what = 'The request body'): string {
  try {
    return strict.decode(bytes);
  } catch {
    assertValidUtf8(bytes, what);
    // The decoder and the scan agree on validity; reaching here would be a bug in one of them.
    throw new NexusError('INVALID_BODY', `${what} is not valid UTF-8`);
  }
}
