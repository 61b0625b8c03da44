/**
 * Cypher values ⇄ PackStream, for one negotiated Bolt version. Out: integers stay exact
 * (`bigint`), graph entities become Node / Relationship / UnboundRelationship / Path
 * structures (5.x adds `element_id` strings, those of Cypher's elementId(), from
 * engine/element-id.ts), temporals their structures — 5.x (and 4.4 with the `utc` patch)
 * send DateTime as UTC seconds (0x49 with an offset, 0x69 with a zone id), older 4.4 as
 * local seconds (0x46 / 0x66). In: parameters decode to engine Values; graph structures,
 * points and byte arrays are refused with CYPHER_ARGUMENT_ERROR.
 */
import { NexusError } from '../errors.js';
import {
  DateTimeValue,
  DateValue,
  DurationValue,
  LocalDateTimeValue,
  LocalTimeValue,
  TimeValue,
  zoneOffsetAt,
} from '../engine/functions/temporal/index.js';
import { nodeElementId, relationshipElementId } from '../engine/element-id.js';
import { Node, Path, Relationship, isTemporal, type Value } from '../engine/values.js';
import { BoltStruct } from './bolt-struct.js';
import type { PackValue } from './packstream-writer.js';

export const TAG = {
  NODE: 0x4e,
  RELATIONSHIP: 0x52,
  UNBOUND_RELATIONSHIP: 0x72,
  PATH: 0x50,
  DATE: 0x44,
  TIME: 0x54,
  LOCAL_TIME: 0x74,
  DATE_TIME: 0x49,
  DATE_TIME_ZONE_ID: 0x69,
  LEGACY_DATE_TIME: 0x46,
  LEGACY_DATE_TIME_ZONE_ID: 0x66,
  LOCAL_DATE_TIME: 0x64,
  DURATION: 0x45,
  POINT_2D: 0x58,
  POINT_3D: 0x59,
} as const;

const NANOS = 1_000_000_000;
const DAY_SECONDS = 86_400;

function argumentError(message: string): NexusError {
  return new NexusError('CYPHER_ARGUMENT_ERROR', message);
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function int(v: PackValue | undefined, what: string): number {
  if (typeof v !== 'bigint') throw argumentError(`${what} must be an INTEGER`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw argumentError(`${what} is out of range`);
  return n;
}

export class ValueCodec {
  /**
   * @param elementIds 5.x structures (element_id fields)
   * @param utcDateTime DateTime as UTC seconds (5.x, or 4.4 with the `utc` patch)
   */
  constructor(
    readonly elementIds: boolean,
    readonly utcDateTime: boolean,
  ) {}

  encode(v: Value): PackValue {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return (v as readonly Value[]).map((x) => this.encode(x));
    if (v instanceof Map) {
      const out = new Map<string, PackValue>();
      for (const [k, x] of v as ReadonlyMap<string, Value>) out.set(k, this.encode(x));
      return out;
    }
    if (v instanceof Node) return this.node(v);
    if (v instanceof Relationship) return this.relationship(v);
    if (v instanceof Path) return this.path(v);
    if (isTemporal(v)) return this.temporal(v);
    throw new NexusError('INTERNAL_ERROR', 'value has no Bolt encoding');
  }

  private props(p: ReadonlyMap<string, Value>): Map<string, PackValue> {
    const out = new Map<string, PackValue>();
    for (const [k, x] of p) out.set(k, this.encode(x));
    return out;
  }

  private node(n: Node): BoltStruct {
    const fields: PackValue[] = [BigInt(n.id), [...n.labels], this.props(n.properties)];
    if (this.elementIds) fields.push(nodeElementId(n.id));
    return new BoltStruct(TAG.NODE, fields);
  }

  private relationship(r: Relationship): BoltStruct {
    const fields: PackValue[] = [
      BigInt(r.id),
      BigInt(r.start),
      BigInt(r.end),
      r.type,
      this.props(r.properties),
    ];
    if (this.elementIds)
      fields.push(relationshipElementId(r.id), nodeElementId(r.start), nodeElementId(r.end));
    return new BoltStruct(TAG.RELATIONSHIP, fields);
  }

  private path(p: Path): BoltStruct {
    // Nodes and relationships as they occur; indices walk them (1-based rel index, negative
    // when the relationship is traversed against its direction).
    const nodes = p.nodes.map((n) => this.node(n));
    const rels = p.relationships.map((r) => {
      const fields: PackValue[] = [BigInt(r.id), r.type, this.props(r.properties)];
      if (this.elementIds) fields.push(relationshipElementId(r.id));
      return new BoltStruct(TAG.UNBOUND_RELATIONSHIP, fields);
    });
    const indices: bigint[] = [];
    p.relationships.forEach((r, i) => {
      const from = p.nodes[i]!;
      indices.push(BigInt(r.start === from.id ? i + 1 : -(i + 1)), BigInt(i + 1));
    });
    return new BoltStruct(TAG.PATH, [nodes, rels, indices]);
  }

  private temporal(v: Value): BoltStruct {
    if (v instanceof DateValue) return new BoltStruct(TAG.DATE, [BigInt(v.epochDay)]);
    if (v instanceof LocalTimeValue) return new BoltStruct(TAG.LOCAL_TIME, [BigInt(v.nanoOfDay)]);
    if (v instanceof TimeValue) {
      return new BoltStruct(TAG.TIME, [BigInt(v.nanoOfDay), BigInt(v.offsetSeconds)]);
    }
    if (v instanceof LocalDateTimeValue) {
      const seconds = v.epochDay * DAY_SECONDS + floorDiv(v.nanoOfDay, NANOS);
      return new BoltStruct(TAG.LOCAL_DATE_TIME, [BigInt(seconds), BigInt(v.nanoOfDay % NANOS)]);
    }
    if (v instanceof DateTimeValue) {
      const nanos = BigInt(v.nanoOfDay % NANOS);
      const local = v.epochDay * DAY_SECONDS + floorDiv(v.nanoOfDay, NANOS);
      const seconds = BigInt(this.utcDateTime ? local - v.offsetSeconds : local);
      if (v.zone !== undefined) {
        const tag = this.utcDateTime ? TAG.DATE_TIME_ZONE_ID : TAG.LEGACY_DATE_TIME_ZONE_ID;
        return new BoltStruct(tag, [seconds, nanos, v.zone]);
      }
      const tag = this.utcDateTime ? TAG.DATE_TIME : TAG.LEGACY_DATE_TIME;
      return new BoltStruct(tag, [seconds, nanos, BigInt(v.offsetSeconds)]);
    }
    if (v instanceof DurationValue) {
      return new BoltStruct(TAG.DURATION, [v.months, v.days, v.seconds, BigInt(v.nanos)]);
    }
    throw new NexusError('INTERNAL_ERROR', 'temporal value has no Bolt encoding');
  }

  /** A RUN parameter (or any client value) as an engine Value. */
  decode(v: PackValue, depth = 0): Value {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return (v as readonly PackValue[]).map((x) => this.decode(x, depth + 1));
    if (v instanceof Map) {
      const out = new Map<string, Value>();
      for (const [k, x] of v as ReadonlyMap<string, PackValue>) out.set(k, this.decode(x, depth + 1));
      return out;
    }
    if (v instanceof Uint8Array) throw argumentError('byte arrays are not supported as parameters');
    if (v instanceof BoltStruct) return this.decodeStruct(v);
    throw argumentError('unsupported parameter value');
  }

  private decodeStruct(s: BoltStruct): Value {
    const f = s.fields;
    const arity = (n: number): void => {
      if (f.length !== n) throw argumentError(`structure 0x${s.tag.toString(16)} needs ${n} fields`);
    };
    try {
      switch (s.tag) {
        case TAG.DATE:
          arity(1);
          return new DateValue(int(f[0], 'days'));
        case TAG.LOCAL_TIME:
          arity(1);
          return new LocalTimeValue(nanoOfDay(int(f[0], 'nanoseconds')));
        case TAG.TIME:
          arity(2);
          return new TimeValue(nanoOfDay(int(f[0], 'nanoseconds')), offset(int(f[1], 'tz_offset_seconds')));
        case TAG.LOCAL_DATE_TIME: {
          arity(2);
          const [day, nod] = split(int(f[0], 'seconds'), int(f[1], 'nanoseconds'));
          return new LocalDateTimeValue(day, nod);
        }
        case TAG.DATE_TIME:
        case TAG.LEGACY_DATE_TIME: {
          arity(3);
          const off = offset(int(f[2], 'tz_offset_seconds'));
          const s0 = int(f[0], 'seconds');
          const local = s.tag === TAG.DATE_TIME ? s0 + off : s0;
          const [day, nod] = split(local, int(f[1], 'nanoseconds'));
          return new DateTimeValue(day, nod, off, undefined);
        }
        case TAG.DATE_TIME_ZONE_ID:
        case TAG.LEGACY_DATE_TIME_ZONE_ID: {
          arity(3);
          const zone = f[2];
          if (typeof zone !== 'string') throw argumentError('tz_id must be a STRING');
          const s0 = int(f[0], 'seconds');
          let off: number;
          if (s.tag === TAG.DATE_TIME_ZONE_ID) off = zoneOffsetAt(zone, s0);
          else off = zoneOffsetAt(zone, s0 - zoneOffsetAt(zone, s0));
          const local = s.tag === TAG.DATE_TIME_ZONE_ID ? s0 + off : s0;
          const [day, nod] = split(local, int(f[1], 'nanoseconds'));
          return new DateTimeValue(day, nod, off, zone);
        }
        case TAG.DURATION: {
          arity(4);
          const [months, days, seconds, nanos] = f;
          if (![months, days, seconds, nanos].every((x) => typeof x === 'bigint')) {
            throw argumentError('duration fields must be INTEGERs');
          }
          return new DurationValue(months as bigint, days as bigint, seconds as bigint, nanos as bigint);
        }
        case TAG.POINT_2D:
        case TAG.POINT_3D:
          throw argumentError('spatial points are not supported');
        case TAG.NODE:
        case TAG.RELATIONSHIP:
        case TAG.UNBOUND_RELATIONSHIP:
        case TAG.PATH:
          throw argumentError('nodes, relationships and paths cannot be parameters');
        default:
          throw argumentError(`unknown structure 0x${s.tag.toString(16)} in parameters`);
      }
    } catch (err) {
      if (err instanceof NexusError) throw err;
      throw argumentError(err instanceof Error ? err.message : 'invalid temporal value');
    }
  }
}

function nanoOfDay(n: number): number {
  if (n < 0 || n >= DAY_SECONDS * NANOS) throw argumentError('time of day out of range');
  return n;
}

function offset(n: number): number {
  if (Math.abs(n) > 18 * 3600) throw argumentError('time zone offset out of range');
  return n;
}

/** Epoch seconds + nanoseconds → [epoch day, nanosecond of day]. */
function split(seconds: number, nanos: number): [number, number] {
  if (nanos < 0 || nanos >= NANOS) throw argumentError('nanoseconds out of range');
  return [floorDiv(seconds, DAY_SECONDS), mod(seconds, DAY_SECONDS) * NANOS + nanos];
}
