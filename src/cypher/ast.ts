/**
 * The Cypher abstract syntax tree: the contract between the parser and the executor.
 * Every node is a readonly, `kind`-tagged interface so consumers can `switch` on
 * `kind` exhaustively; every node records `offset`, the 0-based index into the query
 * text where it starts, so later phases can point errors at the source. The tree is
 * plain data: no methods, no scope annotations (analysis returns those separately).
 * This file only ever grows: fields and kinds are added, never renamed or removed.
 */
import type { SchemaCommandSpec } from './parse-schema-command.js';

/** Fields every AST node has. */
export interface AstNode {
  readonly kind: string;
  /** 0-based offset of the node's first character in the query text. */
  readonly offset: number;
}

// ---------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------

/** `EXPLAIN` / `PROFILE` prefixes; `execute` when there is none. */
export type ExecutionMode = 'execute' | 'explain' | 'profile';

/** The root: what `parse()` returns. */
export interface Statement extends AstNode {
  readonly kind: 'Statement';
  readonly mode: ExecutionMode;
  readonly body: StatementBody;
}

export type StatementBody = Query | CreateIndex | DropIndex | ShowIndexes | SchemaCommand;

/** Constraints and vector indexes (parse-schema-command.ts has the command shapes). */
export interface SchemaCommand extends AstNode {
  readonly kind: 'SchemaCommand';
  readonly command: SchemaCommandSpec;
}

/**
 * A query: one single query, or several joined by UNION / UNION ALL. A standalone
 * procedure call (`CALL proc` with or without YIELD, nothing else) is a single query
 * whose only clause is a `Call`; its result columns are the procedure's (yielded) outputs.
 */
export interface Query extends AstNode {
  readonly kind: 'Query';
  readonly first: SingleQuery;
  /** Further parts in order; mixing `all: true` and `all: false` is rejected by analysis. */
  readonly unions: readonly UnionPart[];
}

export interface UnionPart extends AstNode {
  readonly kind: 'UnionPart';
  /** true for UNION ALL (keep duplicates). */
  readonly all: boolean;
  readonly query: SingleQuery;
}

export interface SingleQuery extends AstNode {
  readonly kind: 'SingleQuery';
  readonly clauses: readonly Clause[];
}

/** `CREATE INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.p, ...)` (or `()-[r:T]-()`). */
export interface CreateIndex extends AstNode {
  readonly kind: 'CreateIndex';
  readonly name: string | null;
  readonly ifNotExists: boolean;
  readonly entity: 'node' | 'relationship';
  readonly variable: Variable;
  /** The label (node index) or relationship type (relationship index). */
  readonly label: string;
  /** Property keys, in declaration order. */
  readonly properties: readonly string[];
}

/** `DROP INDEX name [IF EXISTS]`. */
export interface DropIndex extends AstNode {
  readonly kind: 'DropIndex';
  readonly name: string;
  readonly ifExists: boolean;
}

/** `SHOW INDEX` / `SHOW INDEXES`. */
export interface ShowIndexes extends AstNode {
  readonly kind: 'ShowIndexes';
}

// ---------------------------------------------------------------------------
// Clauses
// ---------------------------------------------------------------------------

export type Clause =
  | Match
  | Create
  | Merge
  | SetClause
  | Remove
  | Delete
  | With
  | Return
  | Unwind
  | Foreach
  | Call
  | CallSubquery
  | Finish;

/** `FINISH`: ends a query without returning rows (Neo4j 5 / GQL). */
export interface Finish extends AstNode {
  readonly kind: 'Finish';
}

export type ClauseKind = Clause['kind'];

export interface Match extends AstNode {
  readonly kind: 'Match';
  readonly optional: boolean;
  readonly pattern: Pattern;
  readonly where: Expression | null;
}

export interface Create extends AstNode {
  readonly kind: 'Create';
  readonly pattern: Pattern;
}

export interface Merge extends AstNode {
  readonly kind: 'Merge';
  readonly pattern: PatternPart;
  readonly actions: readonly MergeAction[];
}

/** `ON CREATE SET ...` / `ON MATCH SET ...`, in source order. */
export interface MergeAction extends AstNode {
  readonly kind: 'MergeAction';
  readonly on: 'create' | 'match';
  readonly items: readonly SetItem[];
}

/** The SET clause (named `SetClause` so it does not shadow the global `Set`). */
export interface SetClause extends AstNode {
  readonly kind: 'Set';
  readonly items: readonly SetItem[];
}

export type SetItem = SetProperty | SetVariable | SetLabels;

/** `target.key = value` — `property.object` may be any atom, e.g. `(n).p` or `n.a`. */
export interface SetProperty extends AstNode {
  readonly kind: 'SetProperty';
  readonly property: PropertyAccess;
  readonly value: Expression;
}

/** `n = map` (replace all properties) or `n += map` (merge into them). */
export interface SetVariable extends AstNode {
  readonly kind: 'SetVariable';
  readonly variable: Variable;
  readonly value: Expression;
  readonly mode: 'replace' | 'merge';
}

/** `n:A:B`, `n:$(expr)`. */
export interface SetLabels extends AstNode {
  readonly kind: 'SetLabels';
  readonly variable: Variable;
  readonly labels: readonly string[];
  /** `$(expr)` labels: each a STRING or LIST<STRING>, evaluated per row. */
  readonly dynamic?: readonly Expression[];
}

export interface Remove extends AstNode {
  readonly kind: 'Remove';
  readonly items: readonly RemoveItem[];
}

export type RemoveItem = RemoveProperty | RemoveLabels;

export interface RemoveProperty extends AstNode {
  readonly kind: 'RemoveProperty';
  readonly property: PropertyAccess;
}

export interface RemoveLabels extends AstNode {
  readonly kind: 'RemoveLabels';
  readonly variable: Variable;
  readonly labels: readonly string[];
  /** `$(expr)` labels: each a STRING or LIST<STRING>, evaluated per row. */
  readonly dynamic?: readonly Expression[];
}

export interface Delete extends AstNode {
  readonly kind: 'Delete';
  readonly detach: boolean;
  readonly expressions: readonly Expression[];
}

export interface With extends AstNode {
  readonly kind: 'With';
  readonly projection: Projection;
  readonly where: Expression | null;
}

export interface Return extends AstNode {
  readonly kind: 'Return';
  readonly projection: Projection;
}

/** The shared body of WITH and RETURN. */
export interface Projection extends AstNode {
  readonly kind: 'Projection';
  readonly distinct: boolean;
  /** `*` was given: all variables in scope are projected (before `items`). */
  readonly star: boolean;
  readonly items: readonly ProjectionItem[];
  /** Empty when there is no ORDER BY. */
  readonly orderBy: readonly SortItem[];
  readonly skip: Expression | null;
  readonly limit: Expression | null;
}

export interface ProjectionItem extends AstNode {
  readonly kind: 'ProjectionItem';
  readonly expression: Expression;
  /** The `AS` alias, or null. */
  readonly alias: Variable | null;
  /**
   * The result column name: the alias, else the expression's source text exactly as
   * written (trimmed), which is what Cypher uses as the column name (`RETURN n.name`).
   */
  readonly name: string;
}

export interface SortItem extends AstNode {
  readonly kind: 'SortItem';
  readonly expression: Expression;
  readonly direction: 'asc' | 'desc';
}

export interface Unwind extends AstNode {
  readonly kind: 'Unwind';
  readonly expression: Expression;
  readonly variable: Variable;
}

/** `FOREACH (x IN list | clause ...)` — the inner clauses are updating clauses. */
export interface Foreach extends AstNode {
  readonly kind: 'Foreach';
  readonly variable: Variable;
  readonly list: Expression;
  readonly clauses: readonly Clause[];
}

/**
 * `CALL { query }`, `CALL (a, b) { query }` or `CALL (*) { query }`: runs the query once
 * per incoming row. The returned columns join the row (no rows: the row is dropped); a
 * body without RETURN (a unit subquery, which must update) passes the row through.
 */
export interface CallSubquery extends AstNode {
  readonly kind: 'CallSubquery';
  readonly query: Query;
  /**
   * The variable scope clause: null in the older form, where a leading WITH of plain
   * variables imports them; `'*'` imports every variable in scope.
   */
  readonly imports: readonly Variable[] | '*' | null;
  /** `OPTIONAL CALL`: a row the body yields nothing for is kept, its columns null. */
  readonly optional?: true;
}

/** `CALL ns.proc(args) [YIELD ...] [WHERE ...]` or `CALL ns.proc` (no parentheses). */
export interface Call extends AstNode {
  readonly kind: 'Call';
  /** Qualified name as written, e.g. `db.labels`, `test.my.proc`. */
  readonly procedure: string;
  /**
   * The arguments, or null when the call had no parentheses at all: then (only valid
   * for a standalone call) the arguments are taken from query parameters of the same
   * names as the procedure's inputs.
   */
  readonly args: readonly Expression[] | null;
  /** null: no YIELD clause. */
  readonly yield: YieldSpec | null;
}

export interface YieldSpec extends AstNode {
  readonly kind: 'YieldSpec';
  /** `YIELD *` (all outputs under their own names); `items` is then empty. */
  readonly star: boolean;
  readonly items: readonly YieldItem[];
  readonly where: Expression | null;
}

export interface YieldItem extends AstNode {
  readonly kind: 'YieldItem';
  /** The procedure's output field name. */
  readonly field: string;
  /** The variable it is bound to (the field name unless `AS` was used). */
  readonly variable: Variable;
}

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

/** Comma-separated pattern parts, e.g. in MATCH and CREATE. */
export interface Pattern extends AstNode {
  readonly kind: 'Pattern';
  readonly parts: readonly PatternPart[];
}

/** One connected part, optionally named (`p = ...`) and optionally a shortest-path call. */
export interface PatternPart extends AstNode {
  readonly kind: 'PatternPart';
  readonly variable: Variable | null;
  readonly shortestPath: 'shortestPath' | 'allShortestPaths' | null;
  readonly element: PatternElement;
}

/**
 * A chain of nodes and relationships: `nodes.length === relationships.length + 1`,
 * and `relationships[i]` connects `nodes[i]` and `nodes[i + 1]`.
 */
export interface PatternElement extends AstNode {
  readonly kind: 'PatternElement';
  readonly nodes: readonly NodePattern[];
  readonly relationships: readonly RelationshipPattern[];
}

export interface NodePattern extends AstNode {
  readonly kind: 'NodePattern';
  readonly variable: Variable | null;
  /** Labels the node must all have (`:A:B`, `:A&B`). */
  readonly labels: readonly string[];
  /** A `MapLiteral` or a `Parameter`, or null. */
  readonly properties: MapLiteral | Parameter | null;
  /** A label expression beyond a plain conjunction (`:A|B`, `:!A`, `:%`); `labels` is then empty. */
  readonly labelExpression?: LabelExpression;
  /** Inline `WHERE` inside the node pattern: `(n:A WHERE n.x > 1)`. */
  readonly where?: Expression;
}

/**
 * A Neo4j 5 label expression: `A`, `%` (any label), `!e`, `e&f`, `e|f`. On a relationship
 * pattern the names are relationship types.
 */
export type LabelExpression =
  | { readonly kind: 'LabelName'; readonly name: string }
  | { readonly kind: 'LabelAny' }
  /** `$(expr)`: the label(s) or type a STRING or LIST<STRING> evaluates to. */
  | { readonly kind: 'LabelDynamic'; readonly expression: Expression }
  | { readonly kind: 'LabelNot'; readonly operand: LabelExpression }
  | { readonly kind: 'LabelAnd'; readonly operands: readonly LabelExpression[] }
  | { readonly kind: 'LabelOr'; readonly operands: readonly LabelExpression[] };

/**
 * `left`: `<-[]-`, `right`: `-[]->`, `both`: `-[]-` (either direction when matching).
 * Direction is relative to the order the pattern is written in.
 */
export type RelationshipDirection = 'left' | 'right' | 'both';

export interface RelationshipPattern extends AstNode {
  readonly kind: 'RelationshipPattern';
  readonly variable: Variable | null;
  /** Alternative types (`:A|B`); empty means any type. */
  readonly types: readonly string[];
  readonly direction: RelationshipDirection;
  readonly properties: MapLiteral | Parameter | null;
  /** null: a single hop. Otherwise variable length. */
  readonly length: VariableLength | null;
  /** A type expression beyond alternatives (`:!R`, `:%`, `:A&B`); `types` is then empty. */
  readonly typeExpression?: LabelExpression;
  /** Inline `WHERE` inside the relationship pattern: `-[r:R WHERE r.w > 1]->`. */
  readonly where?: Expression;
}

/**
 * `*` → {min: null, max: null}; `*2` → {2, 2}; `*1..3` → {1, 3}; `*..3` → {null, 3};
 * `*2..` → {2, null}. A null min means 1; a null max means unbounded.
 */
export interface VariableLength {
  readonly min: number | null;
  readonly max: number | null;
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

export type Expression =
  | Literal
  | Parameter
  | Variable
  | PropertyAccess
  | IndexAccess
  | Slice
  | ListLiteral
  | MapLiteral
  | MapProjection
  | ListComprehension
  | PatternComprehension
  | Quantifier
  | Reduce
  | Case
  | FunctionCall
  | CountStar
  | ExistsSubquery
  | PatternExpression
  | Unary
  | Binary
  | IsNull
  | TypePredicate
  | HasLabels;

export type ExpressionKind = Expression['kind'];

export type LiteralValue = null | boolean | bigint | number | string;

/** Integers are `bigint` (exact 64-bit), floats `number`. */
export interface Literal extends AstNode {
  readonly kind: 'Literal';
  readonly value: LiteralValue;
}

/** `$name` or `$0` (then `name` is `'0'`). */
export interface Parameter extends AstNode {
  readonly kind: 'Parameter';
  readonly name: string;
}

export interface Variable extends AstNode {
  readonly kind: 'Variable';
  readonly name: string;
}

/** `object.key`. */
export interface PropertyAccess extends AstNode {
  readonly kind: 'PropertyAccess';
  readonly object: Expression;
  readonly key: string;
}

/** `object[index]` — list index or dynamic map/property key. */
export interface IndexAccess extends AstNode {
  readonly kind: 'IndexAccess';
  readonly object: Expression;
  readonly index: Expression;
}

/** `object[from..to]`, either bound may be absent. */
export interface Slice extends AstNode {
  readonly kind: 'Slice';
  readonly object: Expression;
  readonly from: Expression | null;
  readonly to: Expression | null;
}

export interface ListLiteral extends AstNode {
  readonly kind: 'ListLiteral';
  readonly elements: readonly Expression[];
}

export interface MapEntry extends AstNode {
  readonly kind: 'MapEntry';
  readonly key: string;
  readonly value: Expression;
}

/** `{k: v, ...}`; keys in source order. */
export interface MapLiteral extends AstNode {
  readonly kind: 'MapLiteral';
  readonly entries: readonly MapEntry[];
}

/** `n{.a, b: expr, c, .*}`. */
export interface MapProjection extends AstNode {
  readonly kind: 'MapProjection';
  readonly variable: Variable;
  readonly items: readonly MapProjectionItem[];
}

export type MapProjectionItem =
  MapProjectionProperty | MapProjectionLiteral | MapProjectionVariable | MapProjectionAllProperties;

/** `.key` — the key's value from the projected entity/map. */
export interface MapProjectionProperty extends AstNode {
  readonly kind: 'MapProjectionProperty';
  readonly key: string;
}

/** `key: expression`. */
export interface MapProjectionLiteral extends AstNode {
  readonly kind: 'MapProjectionLiteral';
  readonly key: string;
  readonly value: Expression;
}

/** `x` — the key `x` with the value of variable `x`. */
export interface MapProjectionVariable extends AstNode {
  readonly kind: 'MapProjectionVariable';
  readonly variable: Variable;
}

/** `.*` — all properties. */
export interface MapProjectionAllProperties extends AstNode {
  readonly kind: 'MapProjectionAllProperties';
}

/** `[x IN list WHERE pred | projection]`; `where`/`projection` may be absent. */
export interface ListComprehension extends AstNode {
  readonly kind: 'ListComprehension';
  readonly variable: Variable;
  readonly list: Expression;
  readonly where: Expression | null;
  readonly projection: Expression | null;
}

/** `[p = (a)-->(b) WHERE pred | projection]` — `projection` is required. */
export interface PatternComprehension extends AstNode {
  readonly kind: 'PatternComprehension';
  readonly variable: Variable | null;
  readonly element: PatternElement;
  readonly where: Expression | null;
  readonly projection: Expression;
}

/** `all/any/none/single(x IN list WHERE pred)`; `where` null means "always true". */
export interface Quantifier extends AstNode {
  readonly kind: 'Quantifier';
  readonly quantifier: 'all' | 'any' | 'none' | 'single';
  readonly variable: Variable;
  readonly list: Expression;
  readonly where: Expression | null;
}

/** `reduce(acc = init, x IN list | expression)`. */
export interface Reduce extends AstNode {
  readonly kind: 'Reduce';
  readonly accumulator: Variable;
  readonly init: Expression;
  readonly variable: Variable;
  readonly list: Expression;
  readonly expression: Expression;
}

export interface CaseAlternative extends AstNode {
  readonly kind: 'CaseAlternative';
  readonly when: Expression;
  readonly then: Expression;
}

/** Simple CASE when `subject` is set (compare by equality), searched CASE otherwise. */
export interface Case extends AstNode {
  readonly kind: 'Case';
  readonly subject: Expression | null;
  readonly alternatives: readonly CaseAlternative[];
  readonly else: Expression | null;
}

/**
 * A function call. `name` is the qualified name as written (`toUpper`, `db.labels`);
 * function names are case-insensitive, so compare with `name.toLowerCase()`.
 * `exists(n.prop)` is a call to `exists` (its argument may be a `PatternExpression`).
 */
export interface FunctionCall extends AstNode {
  readonly kind: 'FunctionCall';
  readonly name: string;
  readonly distinct: boolean;
  readonly args: readonly Expression[];
}

/** `count(*)`. */
export interface CountStar extends AstNode {
  readonly kind: 'CountStar';
}

/**
 * `EXISTS { ... }`: either a pattern with an optional WHERE, or a full query (which may
 * use variables of the outer scope). True when the body yields at least one row.
 * `COUNT { ... }` shares the shape (`count: true`) and gives the number of rows instead.
 */
export interface ExistsSubquery extends AstNode {
  readonly kind: 'ExistsSubquery';
  readonly body: ExistsPatternBody | Query;
  /** `COUNT { ... }`: the number of rows. */
  readonly count?: true;
  /** `COLLECT { ... RETURN x }`: the list of the single returned column. */
  readonly collect?: true;
}

export interface ExistsPatternBody extends AstNode {
  readonly kind: 'ExistsPatternBody';
  readonly pattern: Pattern;
  readonly where: Expression | null;
}

/**
 * A pattern used as an expression (`WHERE (a)-->(b)`): as a predicate, true when it has
 * a match. Analysis only allows it inside WHERE and `exists()` (where it may also be the
 * argument of e.g. `size()`, standing for the list of its matching paths). It never
 * introduces new variables.
 */
export interface PatternExpression extends AstNode {
  readonly kind: 'PatternExpression';
  readonly element: PatternElement;
}

export type UnaryOperator = 'not' | '-' | '+';

export interface Unary extends AstNode {
  readonly kind: 'Unary';
  readonly operator: UnaryOperator;
  readonly operand: Expression;
}

/**
 * Binary operators. Comparison chains are desugared by the parser:
 * `a < b < c` becomes `(a < b) and (b < c)`.
 */
export type BinaryOperator =
  | 'or'
  | 'xor'
  | 'and'
  | '='
  | '<>'
  | '<'
  | '>'
  | '<='
  | '>='
  | 'startsWith'
  | 'endsWith'
  | 'contains'
  | '=~'
  | 'in'
  | '+'
  /** `||` (Neo4j 5.19+, GQL): STRING || STRING and LIST || LIST only. */
  | '||'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^';

export interface Binary extends AstNode {
  readonly kind: 'Binary';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
}

/** `x IS NULL` (`negated: false`) / `x IS NOT NULL` (`negated: true`). */
export interface IsNull extends AstNode {
  readonly kind: 'IsNull';
  readonly operand: Expression;
  readonly negated: boolean;
}

/** A type in a type predicate: alternatives of a (closed) union, one for a simple type. */
export interface CypherType {
  readonly alternatives: readonly CypherTypeAlternative[];
}

export type CypherTypeName =
  | 'ANY'
  | 'NOTHING'
  | 'NULL'
  | 'BOOLEAN'
  | 'STRING'
  | 'INTEGER'
  | 'FLOAT'
  | 'DATE'
  | 'LOCAL TIME'
  | 'ZONED TIME'
  | 'LOCAL DATETIME'
  | 'ZONED DATETIME'
  | 'DURATION'
  | 'POINT'
  | 'NODE'
  | 'RELATIONSHIP'
  | 'MAP'
  | 'PATH'
  | 'PROPERTY VALUE'
  | 'LIST';

export interface CypherTypeAlternative {
  readonly name: CypherTypeName;
  /** `NOT NULL`: null is not a value of this type. */
  readonly notNull: boolean;
  /** LIST only: the element type. */
  readonly element?: CypherType;
}

/** `x IS [NOT] :: TYPE` (Neo4j 5 type predicate expression). */
export interface TypePredicate extends AstNode {
  readonly kind: 'TypePredicate';
  readonly operand: Expression;
  readonly type: CypherType;
  readonly negated: boolean;
}

/** `n:A:B` — true when a node has all the labels (a relationship: its type is each of them). */
export interface HasLabels extends AstNode {
  readonly kind: 'HasLabels';
  readonly operand: Expression;
  readonly labels: readonly string[];
  /** `n:A|B`, `n:!A`, `n:%`: a label expression beyond a conjunction; `labels` is then empty. */
  readonly labelExpression?: LabelExpression;
}

/** Any AST node (for generic walkers). */
export type AnyNode =
  | Statement
  | Query
  | UnionPart
  | SingleQuery
  | CreateIndex
  | DropIndex
  | ShowIndexes
  | Clause
  | MergeAction
  | SetItem
  | RemoveItem
  | Projection
  | ProjectionItem
  | SortItem
  | YieldSpec
  | YieldItem
  | Pattern
  | PatternPart
  | PatternElement
  | NodePattern
  | RelationshipPattern
  | Expression
  | MapEntry
  | MapProjectionItem
  | CaseAlternative
  | ExistsPatternBody;

/** For exhaustive switches: `default: return assertNever(node)`. */
export function assertNever(value: never): never {
  const kind = (value as { kind?: unknown } | null)?.kind;
  throw new TypeError(`unexpected AST node kind: ${String(kind)}`);
}
