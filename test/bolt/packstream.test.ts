import { describe, expect, it } from 'vitest';
import {
  BoltStruct,
  ChunkDecoder,
  ChunkEncoder,
  Handshake,
  PackStreamReader,
  PackStreamWriter,
  ValueCodec,
  type PackValue,
} from '../../src/bolt/index.js';
import {
  DateTimeValue,
  DateValue,
  DurationValue,
  LocalDateTimeValue,
  LocalTimeValue,
  TimeValue,
} from '../../src/engine/functions/temporal/index.js';
import { Node, Path, Relationship } from '../../src/engine/values.js';

function pack(v: PackValue): Buffer {
  const w = new PackStreamWriter(4);
  w.pack(v);
  return Buffer.from(w.bytes());
}
function unpack(b: Buffer): PackValue {
  const r = new PackStreamReader(b);
  const v = r.unpack();
  expect(r.remaining).toBe(0);
  return v;
}

describe('PackStream', () => {
  it('encodes integers in the smallest form and decodes them exactly', () => {
    const cases: [bigint, string][] = [
      [0n, '00'],
      [-16n, 'f0'],
      [127n, '7f'],
      [-17n, 'c8ef'],
      [-128n, 'c880'],
      [128n, 'c90080'],
      [-32768n, 'c98000'],
      [32768n, 'ca00008000'],
      [2147483648n, 'cb0000000080000000'],
      [-(2n ** 63n), 'cb8000000000000000'],
      [2n ** 63n - 1n, 'cb7fffffffffffffff'],
    ];
    for (const [v, hex] of cases) {
      expect(pack(v).toString('hex')).toBe(hex);
      expect(unpack(Buffer.from(hex, 'hex'))).toBe(v);
    }
    expect(() => pack(2n ** 63n)).toThrow(/64 bits/);
  });

  it('round-trips floats, strings, bytes, lists, maps and structures of every size class', () => {
    const long = 'é'.repeat(70_000);
    const values: PackValue[] = [
      null,
      true,
      false,
      1.5,
      -0,
      Number.NaN,
      '',
      'abc',
      'x'.repeat(15),
      'x'.repeat(16),
      'x'.repeat(300),
      long,
      new Uint8Array([1, 2, 3]),
      new Uint8Array(70_000),
      Array.from({ length: 20 }, (_, i) => BigInt(i)),
      Array.from({ length: 70_000 }, () => null),
      new Map(Array.from({ length: 300 }, (_, i) => [`k${i}`, BigInt(i)] as [string, PackValue])),
      new BoltStruct(0x4e, [1n, ['A'], new Map(), 'n:1']),
    ];
    for (const v of values) expect(unpack(pack(v))).toEqual(v);
    expect(pack('x'.repeat(16)).subarray(0, 2).toString('hex')).toBe('d010');
    expect(pack(long).subarray(0, 1).toString('hex')).toBe('d2');
  });

  it('refuses invalid UTF-8, impossible lengths, unknown markers and deep nesting', () => {
    expect(() => unpack(Buffer.from('82c328', 'hex'))).toThrow(/UTF-8/);
    expect(() => unpack(Buffer.from('d6ffffffff', 'hex'))).toThrow(/longer than the message/);
    expect(() => unpack(Buffer.from('daffffffff', 'hex'))).toThrow(/longer than the message/);
    expect(() => unpack(Buffer.from('d2ffffffff', 'hex'))).toThrow(/ends inside/);
    expect(() => unpack(Buffer.from('c7', 'hex'))).toThrow(/unknown PackStream marker/);
    expect(() => unpack(Buffer.from('a1' + '01' + '01', 'hex'))).toThrow(/key is not a string/);
    expect(() => unpack(Buffer.alloc(100, 0x91))).toThrow(/nested too deeply/);
  });
});

describe('chunking', () => {
  it('frames large messages in 64 KiB chunks and reassembles them across arbitrary splits', () => {
    const enc = new ChunkEncoder();
    const big = new BoltStruct(0x71, [['y'.repeat(200_000)]]);
    enc.write(big);
    enc.write(new BoltStruct(0x70, [new Map()]));
    const wire = enc.take();
    const dec = new ChunkDecoder(1 << 20);
    const out: Buffer[] = [];
    // NOOP chunks between messages are ignored.
    out.push(...dec.push(Buffer.from([0, 0])));
    for (let at = 0; at < wire.length; at += 7777) out.push(...dec.push(wire.subarray(at, at + 7777)));
    expect(out).toHaveLength(2);
    expect(unpack(out[0]!)).toEqual(big);
  });

  it('refuses an oversize message from its chunk headers', () => {
    const dec = new ChunkDecoder(100);
    expect(() => dec.push(Buffer.from([0x00, 0x65]))).toThrow(/larger than 100/);
  });
});

describe('handshake', () => {
  const preamble = (...proposals: number[]): Buffer => {
    const b = Buffer.alloc(20);
    b.writeUInt32BE(0x6060b017, 0);
    proposals.forEach((p, i) => b.writeUInt32BE(p, 4 + i * 4));
    return b;
  };

  it('picks the highest supported version of the first matching proposal range', () => {
    const step = new Handshake().feed(preamble(0x00000106, 0x00080805, 0x00020404, 0x00000003));
    expect(step.kind).toBe('done');
    expect(step.reply?.toString('hex')).toBe('00000805');
    const old = new Handshake().feed(preamble(0x00000104, 0x00020404));
    expect(old.reply?.toString('hex')).toBe('00000404');
  });

  it('answers the v1 manifest and reads the client choice, even when split byte by byte', () => {
    const h = new Handshake();
    const wire = Buffer.concat([
      preamble(0x000001ff, 0x00080805),
      Buffer.from('0000080500', 'hex'),
      Buffer.from([0, 1]),
    ]);
    const replies: Buffer[] = [];
    let last;
    for (const byte of wire.subarray(0, 25)) {
      last = h.feed(Buffer.from([byte]));
      if (last.reply) replies.push(last.reply);
      if (last.kind !== 'more') break;
    }
    expect(Buffer.concat(replies).toString('hex')).toBe('000001ff' + '02' + '00080805' + '00000404' + '00');
    expect(last).toMatchObject({ kind: 'done', version: { major: 5, minor: 8 } });
  });

  it('refuses a wrong preamble and proposals it cannot serve', () => {
    expect(new Handshake().feed(Buffer.from('GET / HTTP/1.1\r\n')).kind).toBe('refuse');
    const none = new Handshake().feed(preamble(0x00000003, 0x00000106));
    expect(none).toMatchObject({ kind: 'refuse' });
    expect(none.reply?.toString('hex')).toBe('00000000');
  });
});

describe('ValueCodec', () => {
  const v5 = new ValueCodec(true, true);
  const legacy = new ValueCodec(false, false);

  it('encodes graph entities with element ids (5.x) and paths with signed indices', () => {
    const a = new Node(1, ['A'], new Map([['x', 1n]]));
    const b = new Node(2, [], new Map());
    const r = new Relationship(7, 'R', 2, 1, new Map());
    expect(v5.encode(a)).toEqual(new BoltStruct(0x4e, [1n, ['A'], new Map([['x', 1n]]), 'n:1']));
    expect(legacy.encode(a)).toEqual(new BoltStruct(0x4e, [1n, ['A'], new Map([['x', 1n]])]));
    expect(v5.encode(r)).toEqual(new BoltStruct(0x52, [7n, 2n, 1n, 'R', new Map(), 'r:7', 'n:2', 'n:1']));
    const p = v5.encode(new Path([a, b], [r])) as BoltStruct;
    expect(p.fields[2]).toEqual([-1n, 1n]);
  });

  it('round-trips every temporal type, DateTime as UTC (5.x) or local (legacy) seconds', () => {
    const values = [
      DateValue.of(2024, 2, 29),
      new LocalTimeValue(12 * 3600 * 1e9 + 5),
      new TimeValue(3600 * 1e9, -7200),
      new LocalDateTimeValue(19000, 1e9 * 61 + 3),
      new DateTimeValue(19000, 3600e9, 3600, undefined),
      new DateTimeValue(19000, 3600e9, 3600, 'Europe/Paris'),
      new DurationValue(14n, -3n, 90061n, 5),
    ];
    for (const codec of [v5, legacy]) {
      for (const t of values) {
        const wire = unpack(pack(codec.encode(t)));
        expect(String(codec.decode(wire))).toBe(t.toString());
      }
    }
    const utc = v5.encode(new DateTimeValue(0, 3600e9, 3600, undefined)) as BoltStruct;
    expect(utc).toEqual(new BoltStruct(0x49, [0n, 0n, 3600n]));
    expect((legacy.encode(new DateTimeValue(0, 3600e9, 3600, undefined)) as BoltStruct).fields[0]).toBe(
      3600n,
    );
  });

  it('refuses parameters Cypher cannot hold', () => {
    expect(() => v5.decode(new Uint8Array(1))).toThrow(/byte arrays/);
    expect(() => v5.decode(new BoltStruct(0x58, [1n, 1.0, 2.0]))).toThrow(/points/);
    expect(() => v5.decode(new BoltStruct(0x4e, [1n, [], new Map()]))).toThrow(/cannot be parameters/);
    expect(() => v5.decode(new BoltStruct(0x44, ['x']))).toThrow(/INTEGER/);
    expect(() => v5.decode(new BoltStruct(0x69, [0n, 0n, 'Not/AZone']))).toThrow();
  });
});
