/**
 * Offline move of one namespace's data into another (standalone `default` → a tenant's
 * namespace). Because every key is `<namespace id><tag><namespace-local rest>` and all
 * ids (nodes, relationships, catalog) are per namespace, a move is a copy with the
 * prefix swapped: ids are kept as they are.
 *
 * Crash safety: a marker under the target's Meta keys records the phase ('copy' with a
 * cursor, then 'delete') and is written in the same transaction as each batch, so a
 * re-run after a crash continues where the last committed batch ended; re-copying a key
 * is idempotent anyway. Counts are verified against the source before copying and
 * against the target before the source is deleted; the target's byte total is recounted
 * (key lengths change with the prefix length).
 */
import { NexusError } from '../errors.js';
import { COUNTERS_SIZE, decodeCounters, encodeCounters } from './namespace-state.js';
import { MetaKey, Tag, namespacePrefix, prefixEnd } from './key-layout.js';
import { hasEntries, recount } from './namespace-audit.js';
import { binaryGets, type DataDb } from './namespace-reader.js';
import type { StoreInternals } from './graph-store.js';

export interface MoveProgress {
  readonly phase: 'copy' | 'verify' | 'delete' | 'done';
  /** Entries copied (copy phase) or removed (delete phase) so far. */
  readonly entries: number;
}

export interface MoveOptions {
  /** Entries per write transaction (default 5000). */
  batchSize?: number;
  onProgress?: (progress: MoveProgress) => void;
}

export interface MoveResult {
  readonly from: string;
  readonly to: string;
  readonly nodes: number;
  readonly relationships: number;
  /** The target's byte total after the move. */
  readonly bytes: number;
  /** True when an interrupted earlier run was continued. */
  readonly resumed: boolean;
  /** True when there was nothing left to do (an earlier run had finished). */
  readonly alreadyDone: boolean;
}

interface Marker {
  from: string;
  phase: 'copy' | 'delete';
  /** Hex of the last copied key after the source prefix; null before the first batch. */
  cursor: string | null;
  nodes: number;
  relationships: number;
  entries: number;
}

const MARKER_SUFFIX = Buffer.of(Tag.Meta, MetaKey.Migration);
const STATS_SUFFIX = Buffer.of(Tag.Meta, MetaKey.Stats);

function readMarker(data: DataDb, prefix: Buffer): Marker | undefined {
  const buf = binaryGets(data).getBinary(Buffer.concat([prefix, MARKER_SUFFIX]));
  return buf === undefined ? undefined : (JSON.parse(buf.toString('utf8')) as Marker);
}

function writeMarker(data: DataDb, prefix: Buffer, marker: Marker): void {
  data.putSync(Buffer.concat([prefix, MARKER_SUFFIX]), Buffer.from(JSON.stringify(marker), 'utf8'));
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function moveNamespace(
  s: StoreInternals,
  from: string,
  to: string,
  opts: MoveOptions,
): Promise<MoveResult> {
  if (typeof from !== 'string' || typeof to !== 'string' || from.length === 0 || to.length === 0) {
    throw new NexusError('INVALID_PARAMETER', 'Namespace names must be non-empty strings');
  }
  if (from === to) throw new NexusError('INVALID_PARAMETER', 'Source and target namespace are the same');
  const batchSize = opts.batchSize ?? 5000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new NexusError('INVALID_PARAMETER', 'batchSize must be a positive integer');
  }
  const progress = opts.onProgress ?? (() => undefined);
  const { data, gate } = s;

  const srcId = s.lookupNamespace(from);
  const srcPrefix = srcId === undefined ? undefined : namespacePrefix(srcId);
  let dstId = s.lookupNamespace(to);
  let dstPrefix = dstId === undefined ? undefined : namespacePrefix(dstId);
  let marker = dstPrefix === undefined ? undefined : readMarker(data, dstPrefix);
  if (marker !== undefined && marker.from !== from) {
    throw new NexusError('CONFLICT', `Namespace '${to}' holds an unfinished move from '${marker.from}'`);
  }
  const resumed = marker !== undefined;
  const sourceHasData = srcPrefix !== undefined && hasEntries(data, srcPrefix);

  if (marker === undefined) {
    if (dstPrefix !== undefined && hasEntries(data, dstPrefix)) {
      if (!sourceHasData) {
        // A finished earlier run: nothing left in the source, data in the target.
        const stats = recount(data, dstPrefix);
        return { from, to, ...stats, resumed: false, alreadyDone: true };
      }
      throw new NexusError('CONFLICT', `Target namespace '${to}' is not empty`, { details: { from, to } });
    }
    if (!sourceHasData)
      return { from, to, nodes: 0, relationships: 0, bytes: 0, resumed: false, alreadyDone: true };
    const before = verifySource(data, srcPrefix!);
    marker = {
      from,
      phase: 'copy',
      cursor: null,
      nodes: before.nodes,
      relationships: before.relationships,
      entries: 0,
    };
    const fresh = marker;
    gate.run(() => {
      dstId ??= s.registerNamespace(to);
      writeMarker(data, namespacePrefix(dstId), fresh);
    });
    dstPrefix = namespacePrefix(dstId!);
  }
  const target = dstPrefix!;

  if (marker.phase === 'copy') {
    if (srcPrefix === undefined)
      throw new NexusError('NOT_FOUND', `Source namespace '${from}' does not exist`);
    const source = verifySource(data, srcPrefix);
    if (source.nodes !== marker.nodes || source.relationships !== marker.relationships) {
      throw new NexusError('CONFLICT', `Source namespace '${from}' changed during the move`, {
        details: { expected: { nodes: marker.nodes, relationships: marker.relationships }, found: source },
      });
    }
    await copyAll(s, srcPrefix, target, marker, batchSize, progress);
    progress({ phase: 'verify', entries: marker.entries });
    const after = recount(data, target);
    if (after.nodes !== marker.nodes || after.relationships !== marker.relationships) {
      throw new NexusError('INTERNAL_ERROR', `Copy of '${from}' into '${to}' is incomplete`, {
        details: { expected: { nodes: marker.nodes, relationships: marker.relationships }, found: after },
      });
    }
    const m = marker;
    gate.run(() => {
      // The copied counter record carries the source's byte total; key lengths differ
      // when the prefixes do, so store the recount.
      const statsKey = Buffer.concat([target, STATS_SUFFIX]);
      const counters = decodeCounters(binaryGets(data).getBinary(statsKey));
      counters.bytes = after.bytes;
      const buf = Buffer.allocUnsafe(COUNTERS_SIZE);
      encodeCounters(counters, buf);
      data.putSync(statsKey, buf);
      m.phase = 'delete';
      m.entries = 0;
      writeMarker(data, target, m);
    });
  }

  if (srcPrefix !== undefined) await deleteAll(s, srcPrefix, target, marker, batchSize, progress);
  gate.run(() => {
    if (s.lookupNamespace(from) !== undefined) s.unregisterNamespace(from);
    data.removeSync(Buffer.concat([target, MARKER_SUFFIX]));
  });
  s.forget(from);
  s.forget(to);
  const final = recount(data, target);
  progress({ phase: 'done', entries: marker.entries });
  return { from, to, ...final, resumed, alreadyDone: false };
}

/** Source counts from its keys, which must agree with its counter record. */
function verifySource(data: DataDb, prefix: Buffer): { nodes: number; relationships: number } {
  const counted = recount(data, prefix);
  const counters = decodeCounters(binaryGets(data).getBinary(Buffer.concat([prefix, STATS_SUFFIX])));
  if (counted.nodes !== counters.nodes || counted.relationships !== counters.relationships) {
    throw new NexusError('INTERNAL_ERROR', 'Source namespace counters disagree with its records', {
      details: {
        counters: { nodes: counters.nodes, relationships: counters.relationships },
        records: counted,
      },
    });
  }
  return { nodes: counted.nodes, relationships: counted.relationships };
}

/**
 * Runs `batch` (which returns how many entries it handled) in one write transaction after
 * another until it handles none, reporting progress and yielding to the event loop in
 * between so that a long move does not hold up everything else.
 */
async function inBatches(
  s: StoreInternals,
  phase: 'copy' | 'delete',
  marker: Marker,
  progress: (p: MoveProgress) => void,
  batch: () => number,
): Promise<void> {
  for (;;) {
    if (s.gate.run(batch) === 0) return;
    progress({ phase, entries: marker.entries });
    await yieldToEventLoop();
  }
}

async function copyAll(
  s: StoreInternals,
  src: Buffer,
  dst: Buffer,
  marker: Marker,
  batchSize: number,
  progress: (p: MoveProgress) => void,
): Promise<void> {
  const { data } = s;
  const end = prefixEnd(src);
  await inBatches(s, 'copy', marker, progress, () => {
    const cursor = marker.cursor === null ? null : Buffer.from(marker.cursor, 'hex');
    const start = cursor === null ? src : Buffer.concat([src, cursor]);
    const batch: [Buffer, Buffer][] = [];
    for (const { key, value } of data.getRange({
      start,
      end,
      exclusiveStart: cursor !== null,
      limit: batchSize,
    })) {
      batch.push([Buffer.from(key as Buffer), Buffer.from(value)]);
    }
    if (batch.length === 0) return 0;
    for (const [key, value] of batch) {
      const suffix = key.subarray(src.length);
      if (suffix.equals(MARKER_SUFFIX)) continue;
      data.putSync(Buffer.concat([dst, suffix]), value);
    }
    const next: Marker = {
      ...marker,
      cursor: batch[batch.length - 1]![0].subarray(src.length).toString('hex'),
      entries: marker.entries + batch.length,
    };
    writeMarker(data, dst, next);
    Object.assign(marker, next);
    return batch.length;
  });
}

async function deleteAll(
  s: StoreInternals,
  src: Buffer,
  dst: Buffer,
  marker: Marker,
  batchSize: number,
  progress: (p: MoveProgress) => void,
): Promise<void> {
  const { data } = s;
  const end = prefixEnd(src);
  await inBatches(s, 'delete', marker, progress, () => {
    const keys = [...data.getKeys({ start: src, end, limit: batchSize })].map((k) =>
      Buffer.from(k as Buffer),
    );
    for (const k of keys) data.removeSync(k);
    if (keys.length > 0) {
      marker.entries += keys.length;
      writeMarker(data, dst, marker);
    }
    return keys.length;
  });
}
