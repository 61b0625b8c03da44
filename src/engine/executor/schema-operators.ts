/**
 * Operators of the schema commands beyond RANGE indexes: CREATE / DROP / SHOW
 * CONSTRAINTS, CREATE VECTOR INDEX, CREATE FULLTEXT INDEX, and SHOW INDEXES over every kind of index. They
 * call the storage writer, which checks existing data and keeps the entries current.
 */
import type { ConstraintKind, OptionValue, SchemaCommandSpec } from '../../cypher/parse-schema-command.js';
import { NexusError } from '../../errors.js';
import {
  normalizeTypeName,
  type ConstraintDefinition,
  type ConstraintSpec,
  type SchemaDefinition,
  type VectorSimilarity,
} from '../../storage/schema-definitions.js';
import type { GraphReader, GraphWriter } from '../../storage/types.js';
import { FULLTEXT_ANALYZERS, type FulltextAnalyzer } from '../../storage/fulltext-analyzer.js';
import type { Value } from '../values.js';
import { BasicOperator } from './read-operators.js';
import type { Operator } from './operator.js';

type Spec<Op extends SchemaCommandSpec['op']> = Extract<SchemaCommandSpec, { op: Op }>;

function unsupported(): never {
  throw new NexusError('CYPHER_UNSUPPORTED', 'This store does not support constraints or vector indexes');
}

function definitions(tx: GraphReader): SchemaDefinition[] {
  return tx.schemaDefinitions?.() ?? [];
}

/** Neo4j-style generated name: `constraint_` + 8 hex digits of the definition. */
function generatedName(spec: Spec<'createConstraint'>): string {
  const text = [spec.entity, spec.labelOrType, spec.constraintType, ...spec.properties].join('\u0000');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `constraint_${h.toString(16).padStart(8, '0')}`;
}

function sameConstraint(d: ConstraintDefinition, s: ConstraintSpec): boolean {
  return (
    d.entity === s.entity &&
    d.constraintType === s.constraintType &&
    d.labelOrType === s.labelOrType &&
    d.properties.join('\u0000') === s.properties.join('\u0000')
  );
}

export function createConstraintOperator(spec: Spec<'createConstraint'>): Operator {
  const name = spec.name ?? generatedName(spec);
  return new BasicOperator('CreateConstraint', name, [], function* (ctx) {
    const w: GraphWriter = ctx.writable;
    if (!w.createConstraint) unsupported();
    const def: ConstraintSpec = {
      name,
      constraintType: spec.constraintType,
      entity: spec.entity,
      labelOrType: spec.labelOrType,
      properties: spec.properties,
      ...(spec.propertyTypes ? { propertyTypes: spec.propertyTypes.map(normalizeTypeName) } : {}),
    };
    if (spec.ifNotExists) {
      const defs = definitions(w);
      if (
        defs.some((d) => d.name === name) ||
        w.indexes().some((i) => i.name === name) ||
        defs.some((d) => d.kind === 'constraint' && sameConstraint(d, def))
      ) {
        return;
      }
    }
    w.createConstraint(def);
    yield* [];
  });
}

export function dropConstraintOperator(spec: Spec<'dropConstraint'>): Operator {
  return new BasicOperator('DropConstraint', spec.name, [], function* (ctx) {
    const w = ctx.writable;
    if (!w.dropConstraint) unsupported();
    if (!w.dropConstraint(spec.name) && !spec.ifExists) {
      throw new NexusError('NOT_FOUND', `There is no constraint named '${spec.name}'`, {
        details: { name: spec.name },
      });
    }
    yield* [];
  });
}

function option(map: ReadonlyMap<string, OptionValue>, key: string): OptionValue | undefined {
  for (const [k, v] of map) if (k.toLowerCase() === key.toLowerCase()) return v;
  return undefined;
}

export function createVectorIndexOperator(spec: Spec<'createVectorIndex'>): Operator {
  const config = option(spec.options, 'indexConfig');
  const cfg =
    config instanceof Map ? (config as ReadonlyMap<string, OptionValue>) : new Map<string, OptionValue>();
  const dims = option(cfg, 'vector.dimensions');
  const fn = option(cfg, 'vector.similarity_function') ?? 'cosine';
  if (typeof dims !== 'number' || !Number.isInteger(dims)) {
    throw new NexusError(
      'INVALID_PARAMETER',
      'CREATE VECTOR INDEX needs OPTIONS {indexConfig: {`vector.dimensions`: <integer>}}',
    );
  }
  const similarity = typeof fn === 'string' ? fn.toLowerCase() : '';
  if (similarity !== 'cosine' && similarity !== 'euclidean') {
    throw new NexusError('INVALID_PARAMETER', "`vector.similarity_function` must be 'cosine' or 'euclidean'");
  }
  return new BasicOperator('CreateVectorIndex', spec.name, [], function* (ctx) {
    const w = ctx.writable;
    if (!w.createVectorIndex) unsupported();
    if (spec.ifNotExists) {
      const defs = definitions(w);
      if (
        defs.some((d) => d.name === spec.name) ||
        w.indexes().some((i) => i.name === spec.name) ||
        defs.some((d) => d.kind === 'vector' && d.label === spec.label && d.property === spec.property)
      ) {
        return;
      }
    }
    w.createVectorIndex({
      name: spec.name,
      label: spec.label,
      property: spec.property,
      dimensions: dims,
      similarity: similarity as VectorSimilarity,
    });
    ctx.stats.indexesAdded++;
    yield* [];
  });
}

export function createFulltextIndexOperator(spec: Spec<'createFulltextIndex'>): Operator {
  const config = option(spec.options, 'indexConfig');
  const cfg =
    config instanceof Map ? (config as ReadonlyMap<string, OptionValue>) : new Map<string, OptionValue>();
  const raw = option(cfg, 'fulltext.analyzer') ?? 'standard';
  const analyzer = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (!(FULLTEXT_ANALYZERS as readonly string[]).includes(analyzer)) {
    throw new NexusError(
      'INVALID_PARAMETER',
      `\`fulltext.analyzer\` must be one of ${FULLTEXT_ANALYZERS.map((a) => `'${a}'`).join(', ')}`,
      { details: { analyzer: String(raw) } },
    );
  }
  return new BasicOperator('CreateFulltextIndex', spec.name, [], function* (ctx) {
    const w = ctx.writable;
    if (!w.createFulltextIndex) unsupported();
    if (spec.ifNotExists) {
      if (definitions(w).some((d) => d.name === spec.name) || w.indexes().some((i) => i.name === spec.name)) {
        return;
      }
    }
    w.createFulltextIndex({
      name: spec.name,
      entity: spec.entity,
      labelsOrTypes: spec.labelsOrTypes,
      properties: spec.properties,
      analyzer: analyzer as FulltextAnalyzer,
    });
    ctx.stats.indexesAdded++;
    yield* [];
  });
}

const CONSTRAINT_TYPE_NAMES: Record<ConstraintKind, [string, string]> = {
  UNIQUE: ['UNIQUENESS', 'RELATIONSHIP_UNIQUENESS'],
  NODE_KEY: ['NODE_KEY', 'RELATIONSHIP_KEY'],
  NOT_NULL: ['NODE_PROPERTY_EXISTENCE', 'RELATIONSHIP_PROPERTY_EXISTENCE'],
  PROPERTY_TYPE: ['NODE_PROPERTY_TYPE', 'RELATIONSHIP_PROPERTY_TYPE'],
};

export const SHOW_CONSTRAINTS_COLUMNS = [
  'id',
  'name',
  'type',
  'entityType',
  'labelsOrTypes',
  'properties',
  'ownedIndex',
  'propertyType',
] as const;

export function showConstraintsOperator(): Operator {
  return new BasicOperator('ShowConstraints', '', [], function* (ctx) {
    const defs = definitions(ctx.tx)
      .filter((d): d is ConstraintDefinition => d.kind === 'constraint')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of defs) {
      yield {
        id: BigInt(d.id),
        name: d.name,
        type: CONSTRAINT_TYPE_NAMES[d.constraintType][d.entity === 'node' ? 0 : 1],
        entityType: d.entity === 'node' ? 'NODE' : 'RELATIONSHIP',
        labelsOrTypes: [d.labelOrType],
        properties: [...d.properties],
        ownedIndex: d.ownedIndex ?? null,
        propertyType: d.propertyTypes ? d.propertyTypes.join(' | ') : null,
      } satisfies Record<string, Value>;
    }
  });
}

export const SHOW_INDEXES_COLUMNS = [
  'name',
  'type',
  'entityType',
  'labelsOrTypes',
  'properties',
  'state',
  'populationPercent',
  'indexProvider',
  'owningConstraint',
  'options',
] as const;

/** SHOW INDEXES: RANGE (incl. constraint-backed) and VECTOR indexes, sorted by name. */
export function showIndexesOperator(): Operator {
  return new BasicOperator('ShowIndexes', '', [], function* (ctx) {
    const defs = definitions(ctx.tx);
    const rows: Record<string, Value>[] = [];
    for (const def of ctx.tx.indexes()) {
      const owner = defs.find((d) => d.kind === 'constraint' && d.ownedIndex === def.name);
      rows.push({
        name: def.name,
        type: 'RANGE',
        entityType: 'NODE',
        labelsOrTypes: [def.label],
        properties: [def.property],
        state: 'ONLINE',
        populationPercent: 100,
        indexProvider: 'range-1.0',
        owningConstraint: owner?.name ?? null,
        options: new Map<string, Value>(),
      });
    }
    for (const d of defs) {
      if (d.kind !== 'fulltext') continue;
      rows.push({
        name: d.name,
        type: 'FULLTEXT',
        entityType: d.entity === 'node' ? 'NODE' : 'RELATIONSHIP',
        labelsOrTypes: [...d.labelsOrTypes],
        properties: [...d.properties],
        state: 'ONLINE',
        populationPercent: 100,
        indexProvider: 'fulltext-1.0',
        owningConstraint: null,
        options: new Map<string, Value>([
          ['indexConfig', new Map<string, Value>([['fulltext.analyzer', d.analyzer]])],
        ]),
      });
    }
    for (const d of defs) {
      if (d.kind !== 'vector') continue;
      rows.push({
        name: d.name,
        type: 'VECTOR',
        entityType: 'NODE',
        labelsOrTypes: [d.label],
        properties: [d.property],
        state: 'ONLINE',
        populationPercent: 100,
        indexProvider: 'vector-2.0',
        owningConstraint: null,
        options: new Map<string, Value>([
          [
            'indexConfig',
            new Map<string, Value>([
              ['vector.dimensions', BigInt(d.dimensions)],
              ['vector.similarity_function', d.similarity.toUpperCase()],
            ]),
          ],
        ]),
      });
    }
    rows.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1));
    yield* rows;
  });
}
