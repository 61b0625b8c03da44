/**
 * The Cypher parser: recursive descent over the token array from the lexer, with one
 * function per precedence level for expressions (openCypher 9's grammar levels, which
 * a table-driven Pratt loop would only obscure). It checks syntax only; scoping and
 * typing rules live in `analyze`. Two constructs need bounded backtracking: a `(`
 * that may open a pattern or a parenthesized expression, and a `[` that may open a
 * pattern comprehension.
 */
import { isSchemaCommand, parseSchemaCommand } from './parse-schema-command.js';
import type {
  LabelExpression,
  BinaryOperator,
  Call,
  CallSubquery,
  CaseAlternative,
  Clause,
  CypherType,
  CypherTypeAlternative,
  CypherTypeName,
  CreateIndex,
  Delete,
  DropIndex,
  ExecutionMode,
  Expression,
  Foreach,
  FunctionCall,
  ListComprehension,
  MapEntry,
  MapLiteral,
  MapProjection,
  MapProjectionItem,
  Match,
  Merge,
  MergeAction,
  NodePattern,
  Parameter,
  Pattern,
  PatternElement,
  PatternPart,
  Projection,
  ProjectionItem,
  PropertyAccess,
  Query,
  RelationshipDirection,
  RelationshipPattern,
  Remove,
  RemoveItem,
  SetClause,
  SetItem,
  ShowIndexes,
  SingleQuery,
  SortItem,
  Statement,
  StatementBody,
  UnionPart,
  Unwind,
  Variable,
  VariableLength,
  With,
  Return,
  YieldItem,
  YieldSpec,
} from './ast.js';
import { CypherError } from './errors.js';
import { NexusError } from '../errors.js';
import { syntaxError, tokenize, type Token } from './lexer.js';

const MAX_INT = 9223372036854775807n;
const MIN_INT_MAGNITUDE = 9223372036854775808n;

/** Keywords that start a clause; they end the previous clause's expression lists. */
const CLAUSE_KEYWORDS = new Set([
  'MATCH',
  'OPTIONAL',
  'CREATE',
  'MERGE',
  'SET',
  'REMOVE',
  'DELETE',
  'DETACH',
  'WITH',
  'RETURN',
  'UNWIND',
  'FOREACH',
  'CALL',
]);

/**
 * Words that can never be a bare variable in an expression, because they would make
 * the grammar ambiguous (`RETURN n ORDER BY ...`). Backquote them to use them as names.
 */
const RESERVED_IN_EXPRESSION = new Set([
  ...CLAUSE_KEYWORDS,
  'UNION',
  'WHERE',
  'ORDER',
  'SKIP',
  'LIMIT',
  'AND',
  'OR',
  'XOR',
  'IN',
  'IS',
  'AS',
  'STARTS',
  'ENDS',
  'CONTAINS',
]);

const COMPARISON_OPERATORS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

const QUANTIFIERS = new Set(['ALL', 'ANY', 'NONE', 'SINGLE']);

/** What could have continued a clause, for "expected ..." messages. */
function continuationsOf(clause: Clause): string {
  switch (clause.kind) {
    case 'Return':
      return "an operator, ',', AS, ORDER BY, SKIP, LIMIT";
    case 'With':
      return "an operator, ',', AS, ORDER BY, SKIP, LIMIT, WHERE";
    case 'Match':
      return clause.where ? 'an operator' : "a relationship pattern, ',', WHERE";
    case 'Create':
    case 'Merge':
      return "a relationship pattern, ','";
    case 'Unwind':
    case 'Delete':
    case 'Set':
    case 'Remove':
      return "an operator, ','";
    case 'Call':
      return clause.yield ? "',', AS, WHERE" : 'YIELD';
    case 'Foreach':
    case 'CallSubquery':
    case 'Finish':
      // Only another clause can follow: the caller's "a clause, …" already says so.
      return '';
  }
}

/** Parses one statement (syntax only). Throws `CypherError` (SyntaxError). */
export function parseStatement(source: string): Statement {
  return new Parser(source).statement();
}

/** Thrown (never shown) when a speculative parse fails; see `Parser.attempt`. */
const BACKTRACK = new CypherError('SyntaxError', 'UnexpectedSyntax', 'backtrack');

/** Deeper nesting than this is rejected rather than risking a stack overflow. */
const MAX_NESTING = 120;

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private speculating = 0;
  private depth = 0;
  /** > 0 while parsing a comprehension's WHERE, where `|` starts the projection. */
  private comprehensionWhere = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  // ---------------------------------------------------------------------------
  // token helpers
  // ---------------------------------------------------------------------------

  private peek(ahead = 0): Token {
    const index = this.pos + ahead;
    return this.tokens[index < this.tokens.length ? index : this.tokens.length - 1] as Token;
  }

  private advance(): Token {
    const token = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return token;
  }

  /** End offset of the last consumed token. */
  private lastEnd(): number {
    return this.pos === 0 ? 0 : (this.tokens[this.pos - 1] as Token).end;
  }

  private isKeyword(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'ident' && token.upper === word;
  }

  private acceptKeyword(word: string): boolean {
    if (this.isKeyword(word)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) throw this.unexpected(word);
    return this.advance();
  }

  private isPunct(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'punct' && token.text === text;
  }

  private acceptPunct(text: string): boolean {
    if (this.isPunct(text)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private expectPunct(text: string): Token {
    if (!this.isPunct(text)) throw this.unexpected(`'${text}'`);
    return this.advance();
  }

  /**
   * Tries a parse that may legitimately fail (a `(` that might open a pattern); on
   * failure restores the position and returns null. Failures inside are the shared
   * BACKTRACK error, so speculation does not pay for building messages and stacks.
   */
  private attempt<T>(parse: () => T): T | null {
    const saved = this.pos;
    this.speculating++;
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof CypherError)) throw error;
      this.pos = saved;
      return null;
    } finally {
      this.speculating--;
    }
  }

  private unexpected(expected: string, token: Token = this.peek()): CypherError {
    if (this.speculating > 0) return BACKTRACK;
    const found =
      token.type === 'eof' ? '' : this.source.slice(token.start, Math.min(token.end, token.start + 40));
    const where = token.type === 'eof' ? ' (end of input)' : '';
    return syntaxError(this.source, token.start, `Invalid input '${found}'${where}: expected ${expected}`);
  }

  /** A name: identifier (keywords allowed) or backquoted identifier. */
  private isName(ahead = 0): boolean {
    const type = this.peek(ahead).type;
    return type === 'ident' || type === 'quoted';
  }

  private name(what: string): Token {
    if (!this.isName()) throw this.unexpected(what);
    return this.advance();
  }

  private variable(what = 'a variable name'): Variable {
    return this.variableOf(this.name(what));
  }

  /**
   * Variables become keys of the engine's row objects, where `__proto__` is the
   * prototype accessor, not a key: `RETURN 1 AS \`__proto__\`` was a 500 and
   * `WITH 5 AS \`__proto__\`` read back a map. So that one name is refused.
   */
  private variableOf(token: Token): Variable {
    if (token.text === '__proto__') {
      throw syntaxError(this.source, token.start, '`__proto__` cannot be used as a variable or alias name');
    }
    return { kind: 'Variable', offset: token.start, name: token.text };
  }

  // ---------------------------------------------------------------------------
  // statements
  // ---------------------------------------------------------------------------

  statement(): Statement {
    const start = this.peek().start;
    let mode: ExecutionMode = 'execute';
    this.cypherOptions();
    if (this.acceptKeyword('EXPLAIN')) mode = 'explain';
    else if (this.acceptKeyword('PROFILE')) mode = 'profile';
    this.cypherOptions();
    let body: StatementBody;
    if (isSchemaCommand(this.tokens, this.pos)) {
      const parsed = parseSchemaCommand(this.source, this.tokens, this.pos);
      this.pos = parsed.pos;
      body = parsed.body;
    } else if (this.isKeyword('CREATE') && this.isKeyword('INDEX', 1)) body = this.createIndex();
    else if (this.isKeyword('DROP')) body = this.dropIndex();
    else if (this.isKeyword('SHOW')) body = this.showIndexes();
    else body = this.query(false);
    this.acceptPunct(';');
    if (this.peek().type !== 'eof') {
      throw this.unexpected(body.kind === 'Query' ? 'a clause, UNION or end of input' : 'end of input');
    }
    return { kind: 'Statement', offset: start, mode, body };
  }

  /**
   * The `CYPHER [5] [option=value ...]` prefix: accepted and ignored (Nexus has one
   * planner and one runtime). Another language version is refused.
   */
  private cypherOptions(): void {
    if (!this.isKeyword('CYPHER')) return;
    this.advance();
    const version = this.peek();
    if (version.type === 'int' || version.type === 'float') {
      if (version.text !== '5' && version.text !== '25') {
        throw new CypherError(
          'SyntaxError',
          'UnsupportedCypherVersion',
          `Cypher version ${version.text} is not supported; this server speaks Cypher 5`,
        );
      }
      this.advance();
    }
    while (this.isName() && this.isPunct('=', 1)) {
      this.advance();
      this.advance();
      const value = this.advance();
      if (value.type === 'eof') throw this.unexpected('an option value');
    }
  }

  private createIndex(): CreateIndex {
    const start = this.expectKeyword('CREATE').start;
    this.expectKeyword('INDEX');
    let name: string | null = null;
    if (this.isName() && !this.isKeyword('FOR') && !(this.isKeyword('IF') && this.isKeyword('NOT', 1))) {
      name = this.advance().text;
    }
    let ifNotExists = false;
    if (this.isKeyword('IF') && this.isKeyword('NOT', 1)) {
      this.advance();
      this.advance();
      this.expectKeyword('EXISTS');
      ifNotExists = true;
    }
    this.expectKeyword('FOR');
    let entity: 'node' | 'relationship';
    let variable: Variable;
    let label: string;
    this.expectPunct('(');
    if (this.acceptPunct(')')) {
      entity = 'relationship';
      this.acceptPunct('<');
      this.expectPunct('-');
      this.expectPunct('[');
      variable = this.variable();
      this.expectPunct(':');
      label = this.name('a relationship type').text;
      this.expectPunct(']');
      this.expectPunct('-');
      this.acceptPunct('>');
      this.expectPunct('(');
      this.expectPunct(')');
    } else {
      entity = 'node';
      variable = this.variable();
      this.expectPunct(':');
      label = this.name('a label').text;
      this.expectPunct(')');
    }
    this.expectKeyword('ON');
    this.expectPunct('(');
    const properties: string[] = [];
    do {
      const v = this.name('a variable name');
      if (v.text !== variable.name) {
        throw syntaxError(
          this.source,
          v.start,
          `Index property must be on variable '${variable.name}', not '${v.text}'`,
        );
      }
      this.expectPunct('.');
      properties.push(this.name('a property key').text);
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    return { kind: 'CreateIndex', offset: start, name, ifNotExists, entity, variable, label, properties };
  }

  private dropIndex(): DropIndex {
    const start = this.expectKeyword('DROP').start;
    this.expectKeyword('INDEX');
    const name = this.name('an index name').text;
    let ifExists = false;
    if (this.isKeyword('IF') && this.isKeyword('EXISTS', 1)) {
      this.advance();
      this.advance();
      ifExists = true;
    }
    return { kind: 'DropIndex', offset: start, name, ifExists };
  }

  private showIndexes(): ShowIndexes {
    const start = this.expectKeyword('SHOW').start;
    if (!this.acceptKeyword('INDEXES') && !this.acceptKeyword('INDEX')) throw this.unexpected('INDEXES');
    return { kind: 'ShowIndexes', offset: start };
  }

  // ---------------------------------------------------------------------------
  // queries and clauses
  // ---------------------------------------------------------------------------

  /** `nested`: inside `EXISTS { ... }`, where `}` ends the query. */
  private query(nested: boolean): Query {
    const start = this.peek().start;
    const first = this.singleQuery(nested);
    const unions: UnionPart[] = [];
    while (this.isKeyword('UNION')) {
      const offset = this.advance().start;
      const all = this.acceptKeyword('ALL');
      unions.push({ kind: 'UnionPart', offset, all, query: this.singleQuery(nested) });
    }
    return { kind: 'Query', offset: start, first, unions };
  }

  private singleQuery(nested: boolean): SingleQuery {
    const start = this.peek().start;
    const clauses: Clause[] = [];
    while (this.atClauseStart()) clauses.push(this.clause());
    if (clauses.length === 0) {
      throw this.unexpected(
        'a clause (MATCH, OPTIONAL MATCH, CREATE, MERGE, SET, REMOVE, DELETE, WITH, RETURN, UNWIND, FOREACH, CALL or FINISH)',
      );
    }
    const end = this.peek();
    const endsHere =
      end.type === 'eof' || this.isPunct(';') || this.isKeyword('UNION') || (nested && this.isPunct('}'));
    if (!endsHere) {
      const last = clauses[clauses.length - 1] as Clause;
      const ending = nested ? "a clause, UNION or '}'" : 'a clause, UNION or end of input';
      const continuations = continuationsOf(last);
      throw this.unexpected(continuations === '' ? ending : `${continuations}, ${ending}`);
    }
    // `YIELD *` only makes sense when the call's outputs are the query's result
    for (const clause of clauses) {
      if (clause.kind === 'Call' && clause.yield?.star === true && clauses.length > 1) {
        throw syntaxError(
          this.source,
          clause.yield.offset,
          "Invalid input '*': YIELD * is only allowed in a standalone procedure call",
        );
      }
    }
    return { kind: 'SingleQuery', offset: start, clauses };
  }

  private atClauseStart(): boolean {
    const token = this.peek();
    if (token.type !== 'ident') return false;
    if (CLAUSE_KEYWORDS.has(token.upper)) return true;
    // FINISH ends a query; it stays usable as a variable name elsewhere
    if (token.upper !== 'FINISH') return false;
    const next = this.peek(1);
    return (
      next.type === 'eof' ||
      (next.type === 'punct' && (next.text === ';' || next.text === '}')) ||
      (next.type === 'ident' && next.upper === 'UNION')
    );
  }

  private clause(): Clause {
    const token = this.peek();
    switch (token.upper) {
      case 'MATCH':
      case 'OPTIONAL':
        if (this.isKeyword('CALL', 1)) {
          this.advance();
          const call = this.call();
          if (call.kind !== 'CallSubquery')
            throw syntaxError(this.source, call.offset, 'OPTIONAL CALL needs a subquery');
          return { ...call, offset: token.start, optional: true };
        }
        return this.match();
      case 'CREATE':
        this.advance();
        return { kind: 'Create', offset: token.start, pattern: this.pattern() };
      case 'MERGE':
        return this.merge();
      case 'SET': {
        this.advance();
        return { kind: 'Set', offset: token.start, items: this.setItems() } satisfies SetClause;
      }
      case 'REMOVE':
        return this.remove();
      case 'DELETE':
      case 'DETACH':
        return this.delete();
      case 'WITH':
        return this.with();
      case 'RETURN': {
        this.advance();
        return {
          kind: 'Return',
          offset: token.start,
          projection: this.projection(token.start),
        } satisfies Return;
      }
      case 'UNWIND':
        return this.unwind();
      case 'FOREACH':
        return this.foreach();
      case 'CALL':
        return this.call();
      case 'FINISH':
        this.advance();
        return { kind: 'Finish', offset: token.start };
      default:
        throw this.unexpected('a clause');
    }
  }

  private match(): Match {
    const start = this.peek().start;
    const optional = this.acceptKeyword('OPTIONAL');
    this.expectKeyword('MATCH');
    const pattern = this.pattern();
    const where = this.acceptKeyword('WHERE') ? this.expression() : null;
    return { kind: 'Match', offset: start, optional, pattern, where };
  }

  private merge(): Merge {
    const start = this.expectKeyword('MERGE').start;
    const pattern = this.patternPart();
    const actions: MergeAction[] = [];
    while (this.isKeyword('ON')) {
      const offset = this.advance().start;
      let on: 'create' | 'match';
      if (this.acceptKeyword('CREATE')) on = 'create';
      else if (this.acceptKeyword('MATCH')) on = 'match';
      else throw this.unexpected('CREATE or MATCH');
      this.expectKeyword('SET');
      actions.push({ kind: 'MergeAction', offset, on, items: this.setItems() });
    }
    return { kind: 'Merge', offset: start, pattern, actions };
  }

  private setItems(): SetItem[] {
    const items: SetItem[] = [];
    do items.push(this.setItem());
    while (this.acceptPunct(','));
    return items;
  }

  private setItem(): SetItem {
    const start = this.peek().start;
    if (this.isName() && (this.isPunct('=', 1) || this.isPunct('+=', 1) || this.isPunct(':', 1))) {
      const variable = this.variable();
      if (this.isPunct(':')) {
        return { kind: 'SetLabels', offset: start, variable, ...this.labelsWithDynamic() };
      }
      const mode = this.advance().text === '=' ? 'replace' : 'merge';
      return { kind: 'SetVariable', offset: start, variable, value: this.expression(), mode };
    }
    const property = this.propertyExpression();
    this.expectPunct('=');
    return { kind: 'SetProperty', offset: start, property, value: this.expression() };
  }

  /** `atom.key(.key)*` as SET and REMOVE targets. */
  private propertyExpression(): PropertyAccess {
    const start = this.peek();
    let target = this.atom();
    while (this.isPunct('.')) {
      this.advance();
      const key = this.name('a property key');
      target = { kind: 'PropertyAccess', offset: start.start, object: target, key: key.text };
    }
    if (target.kind !== 'PropertyAccess') throw this.unexpected("'.' followed by a property key");
    return target;
  }

  /**
   * A label expression after its leading `:`; `:A:B` (colon conjunction) is accepted too.
   * `bar`: whether `|` continues the expression (not in a comprehension's WHERE, where `|`
   * starts the projection, unless inside parentheses).
   */
  private labelExpression(bar = true): LabelExpression {
    let e = this.labelOr(bar);
    while (this.acceptPunct(':')) e = { kind: 'LabelAnd', operands: [e, this.labelOr(bar)] };
    return e;
  }

  private labelOr(bar = true): LabelExpression {
    const operands = [this.labelAnd()];
    while (bar && this.acceptPunct('|')) {
      this.acceptPunct(':');
      operands.push(this.labelAnd());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'LabelOr', operands };
  }

  private labelAnd(): LabelExpression {
    const operands = [this.labelNot()];
    while (this.acceptPunct('&')) operands.push(this.labelNot());
    return operands.length === 1 ? operands[0]! : { kind: 'LabelAnd', operands };
  }

  private labelNot(): LabelExpression {
    if (this.acceptPunct('!')) return { kind: 'LabelNot', operand: this.labelNot() };
    if (this.acceptPunct('%')) return { kind: 'LabelAny' };
    if (this.isPunct('$') && this.isPunct('(', 1))
      return { kind: 'LabelDynamic', expression: this.dynamicName() };
    if (this.acceptPunct('(')) {
      const inner = this.labelExpression();
      this.expectPunct(')');
      return inner;
    }
    return { kind: 'LabelName', name: this.name('a label name').text };
  }

  /** `$(expr)` after the `$` token was seen. */
  private dynamicName(): Expression {
    this.expectPunct('$');
    this.expectPunct('(');
    const expression = this.expression();
    this.expectPunct(')');
    return expression;
  }

  /** SET/REMOVE labels: `:A:$(expr):B`. */
  private labelsWithDynamic(): { labels: string[]; dynamic?: Expression[] } {
    const labels: string[] = [];
    const dynamic: Expression[] = [];
    while (this.acceptPunct(':')) {
      if (this.isPunct('$')) dynamic.push(this.dynamicName());
      else labels.push(this.name('a label name').text);
    }
    return dynamic.length > 0 ? { labels, dynamic } : { labels };
  }

  private remove(): Remove {
    const start = this.expectKeyword('REMOVE').start;
    const items: RemoveItem[] = [];
    do {
      const offset = this.peek().start;
      if (this.isName() && this.isPunct(':', 1)) {
        const variable = this.variable();
        items.push({ kind: 'RemoveLabels', offset, variable, ...this.labelsWithDynamic() });
      } else {
        items.push({ kind: 'RemoveProperty', offset, property: this.propertyExpression() });
      }
    } while (this.acceptPunct(','));
    return { kind: 'Remove', offset: start, items };
  }

  private delete(): Delete {
    const start = this.peek().start;
    const detach = this.acceptKeyword('DETACH');
    this.expectKeyword('DELETE');
    const expressions: Expression[] = [];
    do expressions.push(this.expression());
    while (this.acceptPunct(','));
    return { kind: 'Delete', offset: start, detach, expressions };
  }

  private with(): With {
    const start = this.expectKeyword('WITH').start;
    const parsed = this.projection(start);
    // An unaliased variable passes through WITH under its own name: `WITH \`x\`` binds x.
    // The source text (with the backticks) is only RETURN's column name; as WITH's name it
    // bound "`x`", and every later `x` was undefined.
    const projection: Projection = {
      ...parsed,
      items: parsed.items.map((item) =>
        item.alias === null && item.expression.kind === 'Variable'
          ? { ...item, name: item.expression.name }
          : item,
      ),
    };
    const where = this.acceptKeyword('WHERE') ? this.expression() : null;
    return { kind: 'With', offset: start, projection, where };
  }

  private projection(offset: number): Projection {
    const distinct = this.acceptKeyword('DISTINCT');
    let star = false;
    const items: ProjectionItem[] = [];
    if (this.acceptPunct('*')) {
      star = true;
      while (this.acceptPunct(',')) items.push(this.projectionItem());
    } else {
      do items.push(this.projectionItem());
      while (this.acceptPunct(','));
    }
    const orderBy: SortItem[] = [];
    if (this.isKeyword('ORDER')) {
      this.advance();
      this.expectKeyword('BY');
      do {
        const itemStart = this.peek().start;
        const expression = this.expression();
        let direction: 'asc' | 'desc' = 'asc';
        if (this.acceptKeyword('DESC') || this.acceptKeyword('DESCENDING')) direction = 'desc';
        else if (this.acceptKeyword('ASC') || this.acceptKeyword('ASCENDING')) direction = 'asc';
        orderBy.push({ kind: 'SortItem', offset: itemStart, expression, direction });
      } while (this.acceptPunct(','));
    }
    const skip = this.acceptKeyword('SKIP') ? this.expression() : null;
    const limit = this.acceptKeyword('LIMIT') ? this.expression() : null;
    return { kind: 'Projection', offset, distinct, star, items, orderBy, skip, limit };
  }

  private projectionItem(): ProjectionItem {
    const start = this.peek().start;
    const expression = this.expression();
    const end = this.lastEnd();
    let alias: Variable | null = null;
    if (this.acceptKeyword('AS')) alias = this.variable('an alias name');
    const name = alias ? alias.name : this.source.slice(start, end);
    return { kind: 'ProjectionItem', offset: start, expression, alias, name };
  }

  private unwind(): Unwind {
    const start = this.expectKeyword('UNWIND').start;
    const expression = this.expression();
    this.expectKeyword('AS');
    return { kind: 'Unwind', offset: start, expression, variable: this.variable() };
  }

  private foreach(): Foreach {
    const start = this.expectKeyword('FOREACH').start;
    this.expectPunct('(');
    const variable = this.variable();
    this.expectKeyword('IN');
    const list = this.expression();
    this.expectPunct('|');
    const clauses: Clause[] = [];
    while (this.atClauseStart()) clauses.push(this.clause());
    if (clauses.length === 0) throw this.unexpected('an updating clause');
    this.expectPunct(')');
    return { kind: 'Foreach', offset: start, variable, list, clauses };
  }

  private call(): Call | CallSubquery {
    const start = this.expectKeyword('CALL').start;
    // A procedure name must follow CALL, so `{` or `(` here starts a subquery.
    if (this.isPunct('{') || this.isPunct('(')) return this.callSubquery(start);
    let procedure = this.name('a procedure name').text;
    while (this.isPunct('.') && this.isName(1)) {
      this.advance();
      procedure += '.' + this.advance().text;
    }
    let args: Expression[] | null = null;
    if (this.acceptPunct('(')) {
      args = [];
      if (!this.isPunct(')')) {
        do args.push(this.expression());
        while (this.acceptPunct(','));
      }
      this.expectPunct(')');
    }
    let yieldSpec: YieldSpec | null = null;
    if (this.isKeyword('YIELD')) {
      const offset = this.advance().start;
      const items: YieldItem[] = [];
      let star = false;
      if (this.isPunct('*')) {
        star = true;
        this.advance();
      } else {
        do {
          const field = this.name('a procedure output name');
          let variable: Variable = this.variableOf(field);
          if (this.acceptKeyword('AS')) variable = this.variable('an alias name');
          items.push({ kind: 'YieldItem', offset: field.start, field: field.text, variable });
        } while (this.acceptPunct(','));
      }
      const where = !star && this.acceptKeyword('WHERE') ? this.expression() : null;
      yieldSpec = { kind: 'YieldSpec', offset: star ? this.lastEnd() - 1 : offset, star, items, where };
    }
    return { kind: 'Call', offset: start, procedure, args, yield: yieldSpec };
  }

  private callSubquery(start: number): CallSubquery {
    let imports: Variable[] | '*' | null = null;
    if (this.acceptPunct('(')) {
      if (this.acceptPunct('*')) imports = '*';
      else {
        imports = [];
        if (!this.isPunct(')')) {
          do imports.push(this.variable());
          while (this.acceptPunct(','));
        }
      }
      this.expectPunct(')');
    }
    this.expectPunct('{');
    const query = this.query(true);
    this.expectPunct('}');
    if (this.isKeyword('IN') && this.peek(1).type === 'ident' && this.peek(1).upper === 'TRANSACTIONS') {
      throw new NexusError(
        'CYPHER_UNSUPPORTED',
        'CALL { … } IN TRANSACTIONS is not supported: every statement runs in one transaction; send batches as separate requests',
      );
    }
    return { kind: 'CallSubquery', offset: start, query, imports };
  }

  // ---------------------------------------------------------------------------
  // patterns
  // ---------------------------------------------------------------------------

  private pattern(): Pattern {
    const start = this.peek().start;
    const parts: PatternPart[] = [];
    do parts.push(this.patternPart());
    while (this.acceptPunct(','));
    return { kind: 'Pattern', offset: start, parts };
  }

  private patternPart(): PatternPart {
    const start = this.peek().start;
    let variable: Variable | null = null;
    if (this.isName() && this.isPunct('=', 1)) {
      variable = this.variable();
      this.advance();
    }
    let shortestPath: PatternPart['shortestPath'] = null;
    if ((this.isKeyword('SHORTESTPATH') || this.isKeyword('ALLSHORTESTPATHS')) && this.isPunct('(', 1)) {
      shortestPath = this.advance().upper === 'SHORTESTPATH' ? 'shortestPath' : 'allShortestPaths';
      this.expectPunct('(');
      const element = this.patternElement();
      this.expectPunct(')');
      return { kind: 'PatternPart', offset: start, variable, shortestPath, element };
    }
    return { kind: 'PatternPart', offset: start, variable, shortestPath, element: this.patternElement() };
  }

  private patternElement(): PatternElement {
    // `((a)-->(b))`: a parenthesized element
    if (this.isPunct('(') && this.isPunct('(', 1)) {
      if (++this.depth > MAX_NESTING) throw this.tooDeep();
      try {
        this.advance();
        const inner = this.patternElement();
        this.expectPunct(')');
        return inner;
      } finally {
        this.depth--;
      }
    }
    const start = this.peek().start;
    const nodes: NodePattern[] = [this.nodePattern()];
    const relationships: RelationshipPattern[] = [];
    while (this.isPunct('-') || (this.isPunct('<') && this.isPunct('-', 1))) {
      relationships.push(this.relationshipPattern());
      nodes.push(this.nodePattern());
    }
    return { kind: 'PatternElement', offset: start, nodes, relationships };
  }

  private nodePattern(): NodePattern {
    const start = this.expectPunct('(').start;
    let variable: Variable | null = null;
    if (this.isName()) variable = this.variable();
    const expression = this.acceptPunct(':') ? this.labelExpression() : null;
    const labels = expression ? conjunctionNames(expression) : [];
    const properties = this.patternProperties();
    const where = this.acceptKeyword('WHERE') ? this.expression() : null;
    this.expectPunct(')');
    return {
      kind: 'NodePattern',
      offset: start,
      variable,
      labels: labels ?? [],
      properties,
      ...(expression && !labels ? { labelExpression: expression } : {}),
      ...(where ? { where } : {}),
    };
  }

  private patternProperties(): MapLiteral | Parameter | null {
    if (this.isPunct('{')) return this.mapLiteral();
    const token = this.peek();
    if (token.type === 'param') {
      this.advance();
      return { kind: 'Parameter', offset: token.start, name: token.text };
    }
    return null;
  }

  private relationshipPattern(): RelationshipPattern {
    const start = this.peek().start;
    const left = this.acceptPunct('<');
    this.expectPunct('-');
    let variable: Variable | null = null;
    let types: string[] = [];
    let typeExpression: LabelExpression | null = null;
    let properties: MapLiteral | Parameter | null = null;
    let length: VariableLength | null = null;
    let where: Expression | null = null;
    if (this.acceptPunct('[')) {
      if (this.isName()) variable = this.variable();
      if (this.acceptPunct(':')) {
        const expression = this.labelOr();
        const names = disjunctionNames(expression);
        if (names) types = names;
        else typeExpression = expression;
      }
      if (this.acceptPunct('*')) length = this.rangeLiteral();
      properties = this.patternProperties();
      if (this.acceptKeyword('WHERE')) where = this.expression();
      this.expectPunct(']');
    }
    this.expectPunct('-');
    const right = this.acceptPunct('>');
    const direction: RelationshipDirection = left && !right ? 'left' : right && !left ? 'right' : 'both';
    return {
      kind: 'RelationshipPattern',
      offset: start,
      variable,
      types,
      direction,
      properties,
      length,
      ...(typeExpression ? { typeExpression } : {}),
      ...(where ? { where } : {}),
    };
  }

  private rangeLiteral(): VariableLength {
    const bound = (): number | null => {
      const token = this.peek();
      if (token.type !== 'int') return null;
      this.advance();
      const value = token.bigint as bigint;
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw syntaxError(this.source, token.start, `Path length bound is too large: ${token.text}`);
      }
      return Number(value);
    };
    const min = bound();
    if (this.acceptPunct('..')) return { min, max: bound() };
    return min === null ? { min: null, max: null } : { min, max: min };
  }

  // ---------------------------------------------------------------------------
  // expressions, lowest precedence first
  // ---------------------------------------------------------------------------

  expression(): Expression {
    if (++this.depth > MAX_NESTING) throw this.tooDeep();
    try {
      return this.or();
    } finally {
      this.depth--;
    }
  }

  private tooDeep(): CypherError {
    return syntaxError(
      this.source,
      this.peek().start,
      `Query is nested too deeply (more than ${MAX_NESTING} levels)`,
    );
  }

  private binary(offset: number, operator: BinaryOperator, left: Expression, right: Expression): Expression {
    return { kind: 'Binary', offset, operator, left, right };
  }

  private or(): Expression {
    let left = this.xor();
    while (this.isKeyword('OR')) {
      this.advance();
      left = this.binary(left.offset, 'or', left, this.xor());
    }
    return left;
  }

  private xor(): Expression {
    let left = this.and();
    while (this.isKeyword('XOR')) {
      this.advance();
      left = this.binary(left.offset, 'xor', left, this.and());
    }
    return left;
  }

  private and(): Expression {
    let left = this.not();
    while (this.isKeyword('AND')) {
      this.advance();
      left = this.binary(left.offset, 'and', left, this.not());
    }
    return left;
  }

  private not(): Expression {
    if (this.isKeyword('NOT')) {
      const offset = this.advance().start;
      return { kind: 'Unary', offset, operator: 'not', operand: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Expression {
    const first = this.stringListNull();
    if (!this.atComparison()) return first;
    // `a < b < c` means `a < b AND b < c`
    let result: Expression | null = null;
    let left = first;
    while (this.atComparison()) {
      const token = this.advance();
      const operator = (token.text === '!=' ? '<>' : token.text) as BinaryOperator;
      const right = this.stringListNull();
      const comparison = this.binary(left.offset, operator, left, right);
      result = result === null ? comparison : this.binary(first.offset, 'and', result, comparison);
      left = right;
    }
    return result as Expression;
  }

  private atComparison(): boolean {
    const token = this.peek();
    return token.type === 'punct' && COMPARISON_OPERATORS.has(token.text);
  }

  private stringListNull(): Expression {
    let left = this.additive();
    for (;;) {
      if (this.isKeyword('STARTS') && this.isKeyword('WITH', 1)) {
        this.pos += 2;
        left = this.binary(left.offset, 'startsWith', left, this.additive());
      } else if (this.isKeyword('ENDS') && this.isKeyword('WITH', 1)) {
        this.pos += 2;
        left = this.binary(left.offset, 'endsWith', left, this.additive());
      } else if (this.isKeyword('CONTAINS')) {
        this.advance();
        left = this.binary(left.offset, 'contains', left, this.additive());
      } else if (this.isPunct('=~')) {
        this.advance();
        left = this.binary(left.offset, '=~', left, this.additive());
      } else if (this.isKeyword('IN')) {
        this.advance();
        left = this.binary(left.offset, 'in', left, this.additive());
      } else if (this.isKeyword('IS')) {
        this.advance();
        const negated = this.acceptKeyword('NOT');
        const form = ['NFC', 'NFD', 'NFKC', 'NFKD'].find((f) => this.isKeyword(f));
        if (this.isKeyword('NORMALIZED') || (form && this.isKeyword('NORMALIZED', 1))) {
          // `s IS [NOT] [form] NORMALIZED` is `normalize(s, form) = s` (null stays null).
          if (form) this.advance();
          this.advance();
          const offset = left.offset;
          const formArg: Expression = { kind: 'Literal', offset, value: form ?? 'NFC' };
          const normalized: Expression = {
            kind: 'FunctionCall',
            offset,
            name: 'normalize',
            distinct: false,
            args: [left, formArg],
          };
          const test = this.binary(offset, '=', normalized, left);
          left = negated ? { kind: 'Unary', offset, operator: 'not', operand: test } : test;
          continue;
        }
        if (this.isPunct(':') && this.isPunct(':', 1)) {
          this.pos += 2;
          left = {
            kind: 'TypePredicate',
            offset: left.offset,
            operand: left,
            type: this.cypherType(),
            negated,
          };
          continue;
        }
        this.expectKeyword('NULL');
        left = { kind: 'IsNull', offset: left.offset, operand: left, negated };
      } else {
        return left;
      }
    }
  }

  /** A type after `IS ::`: `T | U`, `ANY<T | U>`, `LIST<T>`, each with an optional NOT NULL. */
  private cypherType(): CypherType {
    const alternatives: CypherTypeAlternative[] = [];
    do {
      if (this.isKeyword('ANY') && this.isPunct('<', 1)) {
        this.pos += 2;
        const inner = this.cypherType();
        this.expectPunct('>');
        alternatives.push(...inner.alternatives);
      } else alternatives.push(this.cypherTypeAlternative());
    } while (this.acceptPunct('|'));
    return { alternatives };
  }

  private cypherTypeAlternative(): CypherTypeAlternative {
    const word = (): string => this.name('a type name').text.toUpperCase();
    const first = word();
    let name: CypherTypeName;
    let element: CypherType | undefined;
    const zone = (): 'with' | 'without' => {
      const w = this.acceptKeyword('WITH') ? 'with' : (this.expectKeyword('WITHOUT'), 'without');
      this.expectKeyword('TIME');
      this.expectKeyword('ZONE');
      return w;
    };
    switch (first) {
      case 'ANY':
        if (this.acceptKeyword('NODE') || this.acceptKeyword('VERTEX')) name = 'NODE';
        else if (this.acceptKeyword('RELATIONSHIP') || this.acceptKeyword('EDGE')) name = 'RELATIONSHIP';
        else if (this.acceptKeyword('MAP')) name = 'MAP';
        else if (this.acceptKeyword('PROPERTY')) {
          this.expectKeyword('VALUE');
          name = 'PROPERTY VALUE';
        } else {
          this.acceptKeyword('VALUE');
          name = 'ANY';
        }
        break;
      case 'NOTHING':
      case 'NULL':
      case 'STRING':
      case 'FLOAT':
      case 'DATE':
      case 'DURATION':
      case 'POINT':
      case 'NODE':
      case 'RELATIONSHIP':
      case 'MAP':
      case 'PATH':
        name = first;
        break;
      case 'BOOL':
      case 'BOOLEAN':
        name = 'BOOLEAN';
        break;
      case 'VARCHAR':
        name = 'STRING';
        break;
      case 'INT':
      case 'INTEGER':
      case 'INTEGER64':
        name = 'INTEGER';
        break;
      case 'SIGNED':
        this.expectKeyword('INTEGER');
        name = 'INTEGER';
        break;
      case 'FLOAT64':
        name = 'FLOAT';
        break;
      case 'VERTEX':
        name = 'NODE';
        break;
      case 'EDGE':
        name = 'RELATIONSHIP';
        break;
      case 'PROPERTY':
        this.expectKeyword('VALUE');
        name = 'PROPERTY VALUE';
        break;
      case 'LOCAL': {
        const what = word();
        if (what === 'TIME') name = 'LOCAL TIME';
        else if (what === 'DATETIME') name = 'LOCAL DATETIME';
        else throw this.unexpected('TIME or DATETIME');
        break;
      }
      case 'ZONED': {
        const what = word();
        if (what === 'TIME') name = 'ZONED TIME';
        else if (what === 'DATETIME') name = 'ZONED DATETIME';
        else throw this.unexpected('TIME or DATETIME');
        break;
      }
      case 'TIME':
        name = zone() === 'with' ? 'ZONED TIME' : 'LOCAL TIME';
        break;
      case 'TIMESTAMP':
        name = zone() === 'with' ? 'ZONED DATETIME' : 'LOCAL DATETIME';
        break;
      case 'LIST':
      case 'ARRAY':
        name = 'LIST';
        this.expectPunct('<');
        element = this.cypherType();
        this.expectPunct('>');
        break;
      default:
        throw this.unexpected('a type name');
    }
    let notNull = false;
    if (this.isKeyword('NOT') && this.isKeyword('NULL', 1)) {
      this.pos += 2;
      notNull = true;
    }
    return element ? { name, notNull, element } : { name, notNull };
  }

  private additive(): Expression {
    let left = this.multiplicative();
    for (;;) {
      if (this.isPunct('+')) {
        this.advance();
        left = this.binary(left.offset, '+', left, this.multiplicative());
      } else if (this.isPunct('-')) {
        this.advance();
        left = this.binary(left.offset, '-', left, this.multiplicative());
      } else if (this.isPunct('||')) {
        this.advance();
        left = this.binary(left.offset, '||', left, this.multiplicative());
      } else {
        return left;
      }
    }
  }

  private multiplicative(): Expression {
    let left = this.power();
    for (;;) {
      const token = this.peek();
      if (token.type === 'punct' && (token.text === '*' || token.text === '/' || token.text === '%')) {
        this.advance();
        left = this.binary(left.offset, token.text, left, this.power());
      } else {
        return left;
      }
    }
  }

  private power(): Expression {
    // left-associative, and binds looser than unary minus: -3 ^ 2 = 9.0
    let left = this.unary();
    while (this.isPunct('^')) {
      this.advance();
      left = this.binary(left.offset, '^', left, this.unary());
    }
    return left;
  }

  private unary(): Expression {
    const token = this.peek();
    if (token.type === 'punct' && (token.text === '-' || token.text === '+')) {
      this.advance();
      const next = this.peek();
      // Fold the sign into a numeric literal so the minimum integer is representable.
      if (token.text === '-' && (next.type === 'int' || next.type === 'float') && !this.postfixFollows(1)) {
        this.advance();
        if (next.type === 'float') {
          return { kind: 'Literal', offset: token.start, value: -(next.number as number) };
        }
        const magnitude = next.bigint as bigint;
        if (magnitude > MIN_INT_MAGNITUDE) throw this.integerOverflow(next, '-');
        return { kind: 'Literal', offset: token.start, value: -magnitude };
      }
      const operand = this.unary();
      return { kind: 'Unary', offset: token.start, operator: token.text, operand };
    }
    return this.postfix();
  }

  private postfixFollows(ahead: number): boolean {
    const token = this.peek(ahead);
    return token.type === 'punct' && (token.text === '.' || token.text === '[' || token.text === ':');
  }

  private integerOverflow(token: Token, sign: string): CypherError {
    return syntaxError(
      this.source,
      token.start,
      `Integer literal is too large: ${sign}${token.text}`,
      'IntegerOverflow',
    );
  }

  private postfix(): Expression {
    let expression = this.atom();
    for (;;) {
      if (this.isPunct('.')) {
        this.advance();
        const key = this.name('a property key');
        expression = { kind: 'PropertyAccess', offset: expression.offset, object: expression, key: key.text };
      } else if (this.isPunct('[')) {
        this.advance();
        if (this.acceptPunct('..')) {
          const to = this.isPunct(']') ? null : this.expression();
          this.expectPunct(']');
          expression = { kind: 'Slice', offset: expression.offset, object: expression, from: null, to };
          continue;
        }
        const index = this.expression();
        if (this.acceptPunct('..')) {
          const to = this.isPunct(']') ? null : this.expression();
          this.expectPunct(']');
          expression = { kind: 'Slice', offset: expression.offset, object: expression, from: index, to };
          continue;
        }
        this.expectPunct(']');
        expression = { kind: 'IndexAccess', offset: expression.offset, object: expression, index };
      } else if (
        this.isPunct(':') &&
        (this.isName(1) ||
          this.isPunct('!', 1) ||
          this.isPunct('%', 1) ||
          this.isPunct('(', 1) ||
          this.isPunct('$', 1))
      ) {
        this.advance();
        const labelExpression = this.labelExpression(this.comprehensionWhere === 0);
        const labels = conjunctionNames(labelExpression);
        return labels
          ? { kind: 'HasLabels', offset: expression.offset, operand: expression, labels }
          : {
              kind: 'HasLabels',
              offset: expression.offset,
              operand: expression,
              labels: [],
              labelExpression,
            };
      } else {
        return expression;
      }
    }
  }

  private atom(): Expression {
    const token = this.peek();
    switch (token.type) {
      case 'int': {
        this.advance();
        const value = token.bigint as bigint;
        if (value > MAX_INT) throw this.integerOverflow(token, '');
        return { kind: 'Literal', offset: token.start, value };
      }
      case 'float':
        this.advance();
        return { kind: 'Literal', offset: token.start, value: token.number as number };
      case 'string':
        this.advance();
        return { kind: 'Literal', offset: token.start, value: token.text };
      case 'param':
        this.advance();
        return { kind: 'Parameter', offset: token.start, name: token.text };
      case 'quoted':
        return this.nameBasedAtom(token);
      case 'ident':
        return this.keywordOrNameAtom(token);
      case 'punct':
        if (token.text === '(') return this.parenthesized();
        if (token.text === '[') return this.bracketed();
        if (token.text === '{') return this.mapLiteral();
        break;
      case 'eof':
        break;
    }
    throw this.unexpected('an expression');
  }

  private keywordOrNameAtom(token: Token): Expression {
    switch (token.upper) {
      case 'TRUE':
        this.advance();
        return { kind: 'Literal', offset: token.start, value: true };
      // Neo4j 5 float literals for the special values (not when called as a function).
      case 'INF':
      case 'INFINITY':
      case 'NAN':
        if (this.isPunct('(', 1)) break;
        this.advance();
        return { kind: 'Literal', offset: token.start, value: token.upper === 'NAN' ? NaN : Infinity };
      case 'FALSE':
        this.advance();
        return { kind: 'Literal', offset: token.start, value: false };
      case 'NULL':
        this.advance();
        return { kind: 'Literal', offset: token.start, value: null };
      case 'CASE':
        return this.caseExpression();
      case 'COUNT':
        if (this.isPunct('(', 1) && this.isPunct('*', 2) && this.isPunct(')', 3)) {
          this.pos += 4;
          return { kind: 'CountStar', offset: token.start };
        }
        if (this.isPunct('{', 1)) return this.existsSubquery('count');
        break;
      case 'COLLECT':
        if (this.isPunct('{', 1)) return this.existsSubquery('collect');
        break;
      case 'EXISTS':
        if (this.isPunct('{', 1)) return this.existsSubquery();
        break;
      case 'REDUCE':
        if (this.isPunct('(', 1)) return this.reduce();
        break;
      default:
        if (
          QUANTIFIERS.has(token.upper) &&
          this.isPunct('(', 1) &&
          this.isName(2) &&
          this.isKeyword('IN', 3)
        ) {
          return this.quantifier();
        }
    }
    if (RESERVED_IN_EXPRESSION.has(token.upper) && !this.isPunct('(', 1)) {
      throw this.unexpected('an expression');
    }
    return this.nameBasedAtom(token);
  }

  /** A variable, a map projection `v{...}` or a (possibly namespaced) function call. */
  private nameBasedAtom(token: Token): Expression {
    // look ahead over `a.b.c(` to tell a namespaced function call from property access
    let ahead = 1;
    while (this.isPunct('.', ahead) && this.isName(ahead + 1)) ahead += 2;
    if (this.isPunct('(', ahead)) return this.functionCall(ahead);
    this.advance();
    const variable: Variable = this.variableOf(token);
    if (this.isPunct('{')) return this.mapProjection(variable);
    return variable;
  }

  private functionCall(nameTokens: number): FunctionCall {
    const start = this.peek().start;
    let name = '';
    for (let i = 0; i < nameTokens; i++) name += this.advance().text;
    this.expectPunct('(');
    if (nameTokens === 1 && name.toLowerCase() === 'trim') {
      const gql = this.trimSpecification(start);
      if (gql) return gql;
    }
    const distinct = this.acceptKeyword('DISTINCT');
    const args: Expression[] = [];
    const normalize = nameTokens === 1 && name.toLowerCase() === 'normalize';
    if (!this.isPunct(')')) {
      do {
        // normalize(s, NFKC): Neo4j writes the normal form as a bare keyword.
        const token = this.peek();
        if (
          normalize &&
          args.length === 1 &&
          ['NFC', 'NFD', 'NFKC', 'NFKD'].includes(token.upper) &&
          this.isPunct(')', 1)
        ) {
          this.advance();
          args.push({ kind: 'Literal', offset: token.start, value: token.upper });
        } else args.push(this.expression());
      } while (this.acceptPunct(','));
    }
    this.expectPunct(')');
    return { kind: 'FunctionCall', offset: start, name, distinct, args };
  }

  /**
   * GQL's `trim([BOTH | LEADING | TRAILING] [chars] FROM s)` (Neo4j 5.20), after `trim(`,
   * as btrim/ltrim/rtrim(s[, chars]). Null when the call is the plain `trim(s)` form.
   */
  private trimSpecification(start: number): FunctionCall | null {
    const side = ['BOTH', 'LEADING', 'TRAILING'].find((w) => this.isKeyword(w));
    let chars: Expression | null = null;
    if (side) {
      this.advance();
      if (!this.isKeyword('FROM')) chars = this.expression();
      this.expectKeyword('FROM');
    } else {
      const save = this.pos;
      const first = this.expression();
      if (!this.acceptKeyword('FROM')) {
        this.pos = save;
        return null;
      }
      chars = first;
    }
    const original = this.expression();
    this.expectPunct(')');
    const name = side === 'LEADING' ? 'ltrim' : side === 'TRAILING' ? 'rtrim' : 'btrim';
    const args = chars ? [original, chars] : [original];
    return { kind: 'FunctionCall', offset: start, name, distinct: false, args };
  }

  private mapProjection(variable: Variable): MapProjection {
    this.expectPunct('{');
    const items: MapProjectionItem[] = [];
    if (!this.isPunct('}')) {
      do {
        const offset = this.peek().start;
        if (this.acceptPunct('.')) {
          if (this.acceptPunct('*')) items.push({ kind: 'MapProjectionAllProperties', offset });
          else items.push({ kind: 'MapProjectionProperty', offset, key: this.name('a property key').text });
        } else if (this.isName() && this.isPunct(':', 1)) {
          const key = this.advance().text;
          this.advance();
          items.push({ kind: 'MapProjectionLiteral', offset, key, value: this.expression() });
        } else {
          items.push({
            kind: 'MapProjectionVariable',
            offset,
            variable: this.variable("'.', a key or a variable"),
          });
        }
      } while (this.acceptPunct(','));
    }
    this.expectPunct('}');
    return { kind: 'MapProjection', offset: variable.offset, variable, items };
  }

  mapLiteral(): MapLiteral {
    const start = this.expectPunct('{').start;
    const entries: MapEntry[] = [];
    if (!this.isPunct('}')) {
      do {
        const key = this.name('a property key name');
        this.expectPunct(':');
        entries.push({ kind: 'MapEntry', offset: key.start, key: key.text, value: this.expression() });
      } while (this.acceptPunct(','));
    }
    this.expectPunct('}');
    return { kind: 'MapLiteral', offset: start, entries };
  }

  private parenthesized(): Expression {
    const start = this.pos;
    // A relationship pattern used as a predicate: `(a)-->(b)`. Only patterns with at
    // least one relationship count; `(n)` and `(n:L)` are ordinary expressions.
    if (this.looksLikeNodePattern()) {
      const element = this.attempt(() => this.patternElement());
      if (element !== null && element.relationships.length > 0) {
        return { kind: 'PatternExpression', offset: element.offset, element };
      }
      this.pos = start;
    }
    this.expectPunct('(');
    const inner = this.expression();
    this.expectPunct(')');
    return inner;
  }

  /** Cheap pre-check before trying a pattern: `(` then `)`, `:`, `{`, `$`, `(` or name then one of those. */
  private looksLikeNodePattern(): boolean {
    let ahead = 1;
    if (this.isName(ahead)) ahead++;
    const token = this.peek(ahead);
    if (token.type === 'param') return true;
    return (
      token.type === 'punct' &&
      (token.text === ')' || token.text === ':' || token.text === '{' || token.text === '(')
    );
  }

  private bracketed(): Expression {
    const start = this.peek().start;
    // list comprehension: [x IN list ...]
    if (this.isName(1) && this.isKeyword('IN', 2)) return this.listComprehension();
    // pattern comprehension: [(a)-->(b) ...] or [p = (a)-->(b) ...]
    if (this.isPunct('(', 1) || (this.isName(1) && this.isPunct('=', 2) && this.isPunct('(', 3))) {
      const saved = this.pos;
      this.advance();
      let variable: Variable | null = null;
      if (this.isName()) {
        variable = this.variable();
        this.advance();
      }
      const element = this.attempt(() => this.patternElement());
      if (
        element !== null &&
        element.relationships.length > 0 &&
        (this.isKeyword('WHERE') || this.isPunct('|'))
      ) {
        // committed: errors from here on are real errors, not a cue to backtrack
        const where = this.acceptKeyword('WHERE') ? this.comprehensionFilter() : null;
        this.expectPunct('|');
        const projection = this.expression();
        this.expectPunct(']');
        return { kind: 'PatternComprehension', offset: start, variable, element, where, projection };
      }
      this.pos = saved;
    }
    this.expectPunct('[');
    const elements: Expression[] = [];
    if (!this.isPunct(']')) {
      do elements.push(this.expression());
      while (this.acceptPunct(','));
    }
    this.expectPunct(']');
    return { kind: 'ListLiteral', offset: start, elements };
  }

  /** A comprehension's WHERE: `x:A | ...` ends the label expression at the `|`. */
  private comprehensionFilter(): Expression {
    this.comprehensionWhere++;
    try {
      return this.expression();
    } finally {
      this.comprehensionWhere--;
    }
  }

  private listComprehension(): ListComprehension {
    const start = this.expectPunct('[').start;
    const variable = this.variable();
    this.expectKeyword('IN');
    const list = this.expression();
    const where = this.acceptKeyword('WHERE') ? this.comprehensionFilter() : null;
    const projection = this.acceptPunct('|') ? this.expression() : null;
    this.expectPunct(']');
    return { kind: 'ListComprehension', offset: start, variable, list, where, projection };
  }

  private quantifier(): Expression {
    const token = this.advance();
    this.expectPunct('(');
    const variable = this.variable();
    this.expectKeyword('IN');
    const list = this.expression();
    const where = this.acceptKeyword('WHERE') ? this.expression() : null;
    this.expectPunct(')');
    const quantifier = token.upper.toLowerCase() as 'all' | 'any' | 'none' | 'single';
    return { kind: 'Quantifier', offset: token.start, quantifier, variable, list, where };
  }

  private reduce(): Expression {
    const start = this.advance().start;
    this.expectPunct('(');
    const accumulator = this.variable();
    this.expectPunct('=');
    const init = this.expression();
    this.expectPunct(',');
    const variable = this.variable();
    this.expectKeyword('IN');
    const list = this.expression();
    this.expectPunct('|');
    const expression = this.expression();
    this.expectPunct(')');
    return { kind: 'Reduce', offset: start, accumulator, init, variable, list, expression };
  }

  private caseExpression(): Expression {
    const start = this.expectKeyword('CASE').start;
    const subject = this.isKeyword('WHEN') ? null : this.expression();
    const alternatives: CaseAlternative[] = [];
    while (this.isKeyword('WHEN')) {
      const offset = this.advance().start;
      const when = this.expression();
      this.expectKeyword('THEN');
      alternatives.push({ kind: 'CaseAlternative', offset, when, then: this.expression() });
    }
    if (alternatives.length === 0) throw this.unexpected('WHEN');
    const otherwise = this.acceptKeyword('ELSE') ? this.expression() : null;
    this.expectKeyword('END');
    return { kind: 'Case', offset: start, subject, alternatives, else: otherwise };
  }

  /**
   * `EXISTS { ... }`, `COUNT { ... }` (same body grammar), or `COLLECT { ... RETURN x }`
   * (a full query only).
   */
  private existsSubquery(kind: 'exists' | 'count' | 'collect' = 'exists'): Expression {
    const start = this.advance().start;
    this.expectPunct('{');
    let body:
      Query | { kind: 'ExistsPatternBody'; offset: number; pattern: Pattern; where: Expression | null };
    if (this.atClauseStart()) {
      body = this.query(true);
    } else if (kind === 'collect') {
      throw this.unexpected('a query ending with RETURN (COLLECT needs a full subquery)');
    } else {
      const offset = this.peek().start;
      const pattern = this.pattern();
      const where = this.acceptKeyword('WHERE') ? this.expression() : null;
      body = { kind: 'ExistsPatternBody', offset, pattern, where };
    }
    this.expectPunct('}');
    if (kind === 'count') return { kind: 'ExistsSubquery', offset: start, body, count: true };
    if (kind === 'collect') return { kind: 'ExistsSubquery', offset: start, body, collect: true };
    return { kind: 'ExistsSubquery', offset: start, body };
  }
}

/** The names of a label expression that is a plain conjunction (`A`, `A&B`, `A:B`), else null. */
function conjunctionNames(e: LabelExpression): string[] | null {
  if (e.kind === 'LabelName') return [e.name];
  if (e.kind !== 'LabelAnd') return null;
  const out: string[] = [];
  for (const x of e.operands) {
    const names = conjunctionNames(x);
    if (!names) return null;
    out.push(...names);
  }
  return out;
}

/** The names of a type expression that is a plain disjunction (`A`, `A|B`), else null. */
function disjunctionNames(e: LabelExpression): string[] | null {
  if (e.kind === 'LabelName') return [e.name];
  if (e.kind !== 'LabelOr') return null;
  const out: string[] = [];
  for (const x of e.operands) {
    const names = disjunctionNames(x);
    if (!names) return null;
    out.push(...names);
  }
  return out;
}
