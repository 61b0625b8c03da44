/**
 * Rebuilding temporals from their stored form (kind + ISO text). Registered with the
 * storage codec when the engine loads, so property reads return real temporal values.
 */
import type { TemporalKind } from '../../../storage/types.js';
import { registerTemporalDecoder } from '../../../storage/property-codec.js';
import { parseDuration, parseInstant } from './temporal-parse.js';
import type { AnyTemporal } from './temporal-values.js';

/** The value whose `toString()` is `text` (exact round trip for every kind). */
export function decodeTemporal(kind: TemporalKind, text: string): AnyTemporal {
  return kind === 'Duration' ? parseDuration(text) : parseInstant(kind, text, 0);
}

let registered = false;

export function registerTemporalStorage(): void {
  if (registered) return;
  registered = true;
  registerTemporalDecoder(decodeTemporal);
}
