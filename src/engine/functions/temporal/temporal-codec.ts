/**
 * Rebuilding temporals from their stored form (kind + ISO text). Registered with the
 * storage codec when the engine loads, so property reads return real temporal values.
 */
import type { TemporalKind } from '../../../storage/types.js';
import { registerTemporalDecoder } from '../../../storage/property-codec.js';
import {
  parseDate,
  parseDateTime,
  parseDuration,
  parseLocalDateTime,
  parseLocalTime,
  parseTime,
} from './temporal-parse.js';
import type { AnyTemporal } from './temporal-values.js';

/** The value whose `toString()` is `text` (exact round trip for every kind). */
export function decodeTemporal(kind: TemporalKind, text: string): AnyTemporal {
  switch (kind) {
    case 'Date':
      return parseDate(text);
    case 'LocalTime':
      return parseLocalTime(text);
    case 'Time':
      return parseTime(text, 0);
    case 'LocalDateTime':
      return parseLocalDateTime(text);
    case 'DateTime':
      return parseDateTime(text);
    case 'Duration':
      return parseDuration(text);
  }
}

let registered = false;

export function registerTemporalStorage(): void {
  if (registered) return;
  registered = true;
  registerTemporalDecoder(decodeTemporal);
}
