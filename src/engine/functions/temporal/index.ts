/**
 * Public surface of Cypher temporal values: the value classes, their functions,
 * operators, component access and the storage decoder hook.
 */
import { registerTemporalStorage } from './temporal-codec.js';

registerTemporalStorage();

export {
  TemporalValue,
  DateValue,
  LocalTimeValue,
  TimeValue,
  LocalDateTimeValue,
  DateTimeValue,
  DurationValue,
  isTemporalValue,
  type AnyTemporal,
} from './temporal-values.js';
export { TEMPORAL_FUNCTIONS } from './temporal-functions.js';
export {
  temporalEquals,
  temporalCompare,
  temporalOrderCompare,
  temporalKey,
  temporalAdd,
  temporalSubtract,
  temporalMultiply,
  temporalDivide,
  temporalProperty,
  durationBetween,
} from './temporal-ops.js';
export {
  parseDate,
  parseLocalTime,
  parseTime,
  parseLocalDateTime,
  parseDateTime,
  parseDuration,
} from './temporal-parse.js';
export { decodeTemporal, registerTemporalStorage } from './temporal-codec.js';
export { addDurations, divideDuration, multiplyDuration } from './duration-math.js';
export { zoneOffsetAt, formatOffset, parseOffset } from './zones.js';
