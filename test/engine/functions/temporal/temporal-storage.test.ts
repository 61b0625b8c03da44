import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DateTimeValue,
  DateValue,
  DurationValue,
  LocalTimeValue,
  decodeTemporal,
} from '../../../../src/engine/functions/temporal/index.js';
import { serializeValue } from '../../../../src/engine/json-values.js';
import { ByteReader, ByteWriter } from '../../../../src/storage/byte-writer.js';
import { readValue, writeValue } from '../../../../src/storage/property-codec.js';
import type { PropertyValue } from '../../../../src/storage/types.js';
import { openTestDb, type TestDb } from '../../support/test-db.js';

function roundTrip(v: PropertyValue): PropertyValue {
  const w = new ByteWriter(16);
  writeValue(w, v);
  return readValue(new ByteReader(w.copy()));
}

describe('property codec', () => {
  it('round-trips every temporal kind to an equal engine value', () => {
    const texts: [Parameters<typeof decodeTemporal>[0], string][] = [
      ['Date', '+999999999-12-31'],
      ['LocalTime', '12:31:14.645876123'],
      ['Time', '21:40:32.142-01:30'],
      ['LocalDateTime', '1984-10-11T12:31:14.000000001'],
      ['DateTime', '1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]'],
      ['Duration', 'P-6M-15DT-17H-45M-3.500000002S'],
    ];
    for (const [kind, text] of texts) {
      const back = roundTrip(decodeTemporal(kind, text));
      expect(back.constructor).toBe(decodeTemporal(kind, text).constructor);
      expect(String(back)).toBe(text);
    }
  });

  it('round-trips lists of temporals', () => {
    const list = [new DateValue(0), new DateValue(1)];
    const back = roundTrip(list) as readonly DateValue[];
    expect(back.map(String)).toEqual(['1970-01-01', '1970-01-02']);
    expect(back[1]).toBeInstanceOf(DateValue);
  });
});

describe('temporal properties through the engine', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores temporals and reads them back with their type', async () => {
    await t.rows(
      `CREATE (:Event {on: date('2020-01-01'), at: localtime('12:00'),
        stamps: [datetime('2017-10-29T02:30[Europe/Stockholm]'), datetime('2017-10-29T03:30Z')],
        took: duration('PT1H30M')})`,
    );
    const [row] = await t.rows(
      'MATCH (e:Event) RETURN e.on AS on, e.at AS at, e.stamps AS stamps, e.took AS took',
    );
    expect(row!.on).toBeInstanceOf(DateValue);
    expect(row!.at).toBeInstanceOf(LocalTimeValue);
    const stamps = row!.stamps as readonly DateTimeValue[];
    expect(stamps[0]).toBeInstanceOf(DateTimeValue);
    expect(stamps.map(String)).toEqual(['2017-10-29T02:30+02:00[Europe/Stockholm]', '2017-10-29T03:30Z']);
    expect(row!.took).toBeInstanceOf(DurationValue);
    const [q] = await t.rows(
      'MATCH (e:Event) RETURN e.on + e.took AS later, e.on.year AS y, e.took.minutes AS m',
    );
    expect([String(q!.later), q!.y, q!.m]).toEqual(['2020-01-01', 2020n, 90n]);
  });

  it('filters, sorts and groups by stored temporals', async () => {
    await t.rows("UNWIND ['2015-07-21', '1984-10-11', '2015-07-21'] AS s CREATE (:Day {d: date(s)})");
    const rows = await t.rows(
      "MATCH (n:Day) WHERE n.d > date('1990-01-01') OR n.d < date('1985-01-01') RETURN n.d AS d, count(*) AS c ORDER BY d",
    );
    expect(rows.map((r) => [String(r.d), r.c])).toEqual([
      ['1984-10-11', 1n],
      ['2015-07-21', 2n],
    ]);
  });

  it('refuses a list that mixes temporal kinds', async () => {
    await expect(t.rows("CREATE ({x: [date('2020-01-01'), localtime('12:00')]})")).rejects.toMatchObject({
      errorClass: 'TypeError',
      detail: 'InvalidPropertyType',
    });
  });

  it('serialises temporals to JSON as their ISO text', async () => {
    const [row] = await t.rows(
      "RETURN [datetime('2015-07-21T21:40:32.142[Europe/London]'), duration('P14DT16H12M')] AS v",
    );
    expect(serializeValue(row!.v!)).toBe('["2015-07-21T21:40:32.142+01:00[Europe/London]","P14DT16H12M"]');
  });
});
