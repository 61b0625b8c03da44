/**
 * Records of 16 MiB and more: lmdb-js returns them as a plain Uint8Array rather than a
 * Buffer, and decoding must not depend on Buffer-only behaviour (a 16 M-character string
 * property used to read back as the record's bytes joined by commas).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/storage/byte-writer.js';
import type { PropertyValue } from '../../src/storage/index.js';
import { openTempStore, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await openTempStore({ sync: false });
});
afterEach(async () => {
  await t.cleanup();
});

describe('large values', () => {
  it('round-trips a 16 M-character string property and a large list', async () => {
    const ns = t.store.namespace('default');
    const text = `${'x'.repeat(1 << 24)}é`;
    const list = Array.from({ length: 1 << 21 }, (_, i) => `item-${i}`);
    const id = await ns.write((tx) =>
      tx.createNode(
        ['Big'],
        new Map<string, PropertyValue>([
          ['s', text],
          ['l', list],
        ]),
      ),
    );
    const rec = ns.read((tx) => tx.getNode(id));
    const s = rec!.properties.get('s') as string;
    expect(s.length).toBe(text.length);
    expect(s === text).toBe(true);
    const l = rec!.properties.get('l') as string[];
    expect(l.length).toBe(list.length);
    expect(l[12345]).toBe('item-12345');
  });

  it('ByteReader decodes from a plain Uint8Array like from a Buffer', () => {
    const bytes = new Uint8Array(Buffer.from('..héllo', 'utf8'));
    const r = new ByteReader(bytes, 2);
    expect(r.utf8(6)).toBe('héllo');
    expect(r.done).toBe(true);
  });
});
