/**
 * The executable form of a MATCH pattern: node/relationship specs per connected part,
 * start-point kinds, and the program of steps (start, expand, filter) the matcher runs.
 * Built by compilePattern, run by the executor's pattern matcher.
 */
import type * as Ast from '../../cypher/ast.js';
import type { Direction, PropertyScalar } from '../../storage/types.js';
import { type QueryContext, type Row } from '../runtime/query-context.js';
import { type Value } from '../values.js';
import { type Expr } from './compile-expression.js';

export type PropCheck = (props: ReadonlyMap<string, Value>, row: Row, ctx: QueryContext) => boolean;

export interface NodeSpec {
  readonly name: string;
  readonly labels: readonly string[];
  readonly props: PropCheck | null;
  /** Inline `{k: expr}` entries usable for an index seek. */
  readonly inline: readonly { key: string; expr: Expr; vars: Set<string> }[];
}

export interface RelSpec {
  readonly name: string;
  readonly types: readonly string[];
  readonly direction: Ast.RelationshipDirection;
  readonly props: PropCheck | null;
  readonly min: number;
  readonly max: number;
  readonly varLength: boolean;
}

export interface PartSpec {
  readonly nodes: readonly NodeSpec[];
  readonly rels: readonly RelSpec[];
  readonly pathVar: string | null;
  /** shortestPath / allShortestPaths: the single relationship is searched breadth-first. */
  readonly shortest: 'one' | 'all' | null;
  /** Variables bound before this part starts (input scope and earlier parts). */
  readonly boundBefore: ReadonlySet<string>;
}

export type StartKind =
  | { kind: 'bound' }
  | { kind: 'id'; expr: Expr; list: boolean }
  | { kind: 'index'; label: string; key: string; expr: Expr; list?: boolean }
  | {
      kind: 'range';
      label: string;
      key: string;
      lower?: { expr: Expr; inclusive: boolean };
      upper?: { expr: Expr; inclusive: boolean };
    }
  | { kind: 'prefix'; label: string; key: string; expr: Expr }
  | { kind: 'label'; label: string }
  | { kind: 'all' }
  /** An endpoint of a relationship known up front: bound earlier, or `WHERE id(r) = x`. */
  | { kind: 'relEnd'; rel: string | Expr; end: 'start' | 'end' | 'both' };

export interface Candidate {
  readonly node: number;
  readonly start: StartKind;
}

export interface Conjunct {
  readonly expr: Expr;
  readonly vars: ReadonlySet<string>;
}

/** One line of a pattern's EXPLAIN/PROFILE description. */
export interface PatternStepDescription {
  readonly operator: string;
  readonly details: string;
  /** The step whose PROFILE row count this line shows (absent: the whole pattern's). */
  readonly step?: object;
}

/** One executable configuration: the steps of every part, with filters attached. */
export type Step =
  | { kind: 'start'; node: NodeSpec; start: StartKind; bound: boolean; filters: Expr[] }
  | {
      kind: 'expand';
      from: NodeSpec;
      rel: RelSpec;
      to: NodeSpec;
      dir: Direction;
      reversed: boolean;
      relBound: boolean;
      toBound: boolean;
      shortest: 'one' | 'all' | null;
      filters: Expr[];
      /** shortestPath with WHERE predicates on its relationships or path (see shortestWhere). */
      pathPredicates: boolean;
    }
  | { kind: 'path'; part: PartSpec; filters: Expr[] };

export interface Program {
  readonly steps: readonly Step[];
  readonly pre: readonly Expr[];
  /** Plan lines, innermost first; `step` keys PROFILE's row count of that step. */
  readonly description: PatternStepDescription[];
}

let anonCounter = 0;
/** Internal names for anonymous pattern elements; they never collide with user variables. */
export function anonName(): string {
  return `  anon_${anonCounter++}`;
}

export function isInternalName(name: string): boolean {
  return name.startsWith('  ');
}

/** Splits a predicate into its top-level AND conjuncts. */
export function conjuncts(e: Ast.Expression | null): Ast.Expression[] {
  if (!e) return [];
  if (e.kind === 'Binary' && e.operator === 'and') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

export function toScalar(v: Value): PropertyScalar | undefined {
  return typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string'
    ? v
    : undefined;
}

export function toIdNumber(v: Value): number | undefined {
  if (typeof v === 'bigint') return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  return undefined;
}
