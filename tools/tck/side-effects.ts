/**
 * TCK side effects, measured the way the TCK README defines them: the difference
 * between what is observable before and after the query. Nodes and relationships are
 * identified by id; a property is the triple (entity, key, value), so changing a value
 * counts as one removal plus one addition; labels are the set of distinct labels in use
 * in the graph (not node/label pairs).
 */
import type { NamespaceHandle } from '../../src/storage/types.js';
import { canonicalValue } from './value-compare.js';
import { TckFormatError } from './tck-value.js';

export interface GraphSnapshot {
  readonly nodes: ReadonlySet<number>;
  readonly relationships: ReadonlySet<number>;
  readonly labels: ReadonlySet<string>;
  readonly properties: ReadonlySet<string>;
}

export const SIDE_EFFECT_KEYS = [
  '+nodes',
  '-nodes',
  '+relationships',
  '-relationships',
  '+labels',
  '-labels',
  '+properties',
  '-properties',
] as const;

export type SideEffectKey = (typeof SIDE_EFFECT_KEYS)[number];
export type SideEffects = Record<SideEffectKey, number>;

export function zeroSideEffects(): SideEffects {
  return Object.fromEntries(SIDE_EFFECT_KEYS.map((k) => [k, 0])) as SideEffects;
}

/** Reads the whole graph of one namespace through its storage handle. */
export function takeSnapshot(handle: NamespaceHandle): GraphSnapshot {
  return handle.read((tx) => {
    const nodes = new Set<number>();
    const relationships = new Set<number>();
    const labels = new Set<string>();
    const properties = new Set<string>();
    for (const id of tx.scanNodes()) {
      const n = tx.getNode(id);
      if (!n) continue;
      nodes.add(id);
      for (const l of n.labels) labels.add(l);
      for (const [k, v] of n.properties) properties.add(`n${id}\u0000${k}\u0000${canonicalValue(v)}`);
    }
    for (const id of tx.scanRelationships()) {
      const r = tx.getRelationship(id);
      if (!r) continue;
      relationships.add(id);
      for (const [k, v] of r.properties) properties.add(`r${id}\u0000${k}\u0000${canonicalValue(v)}`);
    }
    return { nodes, relationships, labels, properties };
  });
}

function countMissing<T>(from: ReadonlySet<T>, inSet: ReadonlySet<T>): number {
  let n = 0;
  for (const x of from) if (!inSet.has(x)) n++;
  return n;
}

export function diffSnapshots(before: GraphSnapshot, after: GraphSnapshot): SideEffects {
  return {
    '+nodes': countMissing(after.nodes, before.nodes),
    '-nodes': countMissing(before.nodes, after.nodes),
    '+relationships': countMissing(after.relationships, before.relationships),
    '-relationships': countMissing(before.relationships, after.relationships),
    '+labels': countMissing(after.labels, before.labels),
    '-labels': countMissing(before.labels, after.labels),
    '+properties': countMissing(after.properties, before.properties),
    '-properties': countMissing(before.properties, after.properties),
  };
}

/** Parses the `side effects should be:` table; unknown keys are reported as errors. */
export function parseSideEffectsTable(table: readonly (readonly string[])[]): SideEffects {
  const out = zeroSideEffects();
  for (const row of table) {
    const [key = '', value = ''] = row.map((c) => c.trim());
    if (!(SIDE_EFFECT_KEYS as readonly string[]).includes(key))
      throw new TckFormatError(`unknown side effect '${key}'`);
    if (!/^\d+$/.test(value)) throw new TckFormatError(`bad side effect count '${value}' for ${key}`);
    out[key as SideEffectKey] = Number(value);
  }
  return out;
}

/** Differences between expected and actual side effects, e.g. `+nodes 1≠2`; empty when equal. */
export function compareSideEffects(expected: SideEffects, actual: SideEffects): string[] {
  return SIDE_EFFECT_KEYS.filter((k) => expected[k] !== actual[k]).map(
    (k) => `${k} expected ${expected[k]} got ${actual[k]}`,
  );
}
