/**
 * Parsing of the schema commands beyond RANGE indexes (Neo4j 5 syntax): constraints
 * (`CREATE CONSTRAINT … REQUIRE … IS UNIQUE | IS NOT NULL | IS NODE KEY | IS :: TYPE`,
 * `DROP CONSTRAINT`, `SHOW CONSTRAINTS`) and vector indexes (`CREATE VECTOR INDEX … OPTIONS
 * {indexConfig: {…}}`). Kept apart from the main parser, which calls `isSchemaCommand` /
 * `parseSchemaCommand` at one point; it works on the same token array.
 */
import type { SchemaCommand } from './ast.js';
import type { CypherError } from './errors.js';
import { syntaxError, type Token } from './lexer.js';

export type ConstraintKind = 'UNIQUE' | 'NOT_NULL' | 'NODE_KEY' | 'PROPERTY_TYPE';

export type SchemaCommandSpec =
  | {
      readonly op: 'createConstraint';
      readonly name: string | null;
      readonly ifNotExists: boolean;
      readonly entity: 'node' | 'relationship';
      readonly labelOrType: string;
      readonly properties: readonly string[];
      readonly constraintType: ConstraintKind;
      /** PROPERTY_TYPE: the type alternatives as written (`INTEGER`, `LIST<STRING NOT NULL>`). */
      readonly propertyTypes?: readonly string[];
    }
  | { readonly op: 'dropConstraint'; readonly name: string; readonly ifExists: boolean }
  | { readonly op: 'showConstraints' }
  | {
      readonly op: 'createVectorIndex';
      readonly name: string;
      readonly ifNotExists: boolean;
      readonly label: string;
      readonly property: string;
      /** The OPTIONS map as literal values. */
      readonly options: ReadonlyMap<string, OptionValue>;
    }
  | {
      readonly op: 'createFulltextIndex';
      readonly name: string;
      readonly ifNotExists: boolean;
      readonly entity: 'node' | 'relationship';
      readonly labelsOrTypes: readonly string[];
      readonly properties: readonly string[];
      readonly options: ReadonlyMap<string, OptionValue>;
    };

export type OptionValue =
  null | boolean | number | string | readonly OptionValue[] | ReadonlyMap<string, OptionValue>;

/** True when the tokens at `pos` start a command this module parses. */
export function isSchemaCommand(tokens: readonly Token[], pos: number): boolean {
  const kw = (i: number): string => {
    const t = tokens[pos + i];
    return t !== undefined && t.type === 'ident' ? t.upper : '';
  };
  if (kw(0) === 'CREATE') {
    return kw(1) === 'CONSTRAINT' || ((kw(1) === 'VECTOR' || kw(1) === 'FULLTEXT') && kw(2) === 'INDEX');
  }
  if (kw(0) === 'DROP') return kw(1) === 'CONSTRAINT';
  if (kw(0) === 'SHOW') return kw(1) === 'CONSTRAINTS' || kw(1) === 'CONSTRAINT';
  return false;
}

class SchemaParser {
  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    public pos: number,
  ) {}

  private peek(ahead = 0): Token {
    const i = Math.min(this.pos + ahead, this.tokens.length - 1);
    return this.tokens[i]!;
  }
  private advance(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private isKeyword(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.type === 'ident' && t.upper === word;
  }
  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.advance();
    return true;
  }
  private expectKeyword(word: string): Token {
    if (!this.isKeyword(word)) throw this.unexpected(word);
    return this.advance();
  }
  private isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.type === 'punct' && t.text === text;
  }
  private acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.advance();
    return true;
  }
  private expectPunct(text: string): Token {
    if (!this.isPunct(text)) throw this.unexpected(`'${text}'`);
    return this.advance();
  }
  private isName(ahead = 0): boolean {
    const type = this.peek(ahead).type;
    return type === 'ident' || type === 'quoted';
  }
  private name(what: string): Token {
    if (!this.isName()) throw this.unexpected(what);
    return this.advance();
  }
  private unexpected(expected: string): CypherError {
    const t = this.peek();
    const found = t.type === 'eof' ? '' : this.source.slice(t.start, Math.min(t.end, t.start + 40));
    return syntaxError(
      this.source,
      t.start,
      `Invalid input '${found}'${t.type === 'eof' ? ' (end of input)' : ''}: expected ${expected}`,
    );
  }

  command(): SchemaCommand {
    const start = this.peek().start;
    let command: SchemaCommandSpec;
    if (this.acceptKeyword('SHOW')) {
      this.advance(); // CONSTRAINT(S)
      command = { op: 'showConstraints' };
    } else if (this.acceptKeyword('DROP')) {
      this.expectKeyword('CONSTRAINT');
      const name = this.name('a constraint name').text;
      let ifExists = false;
      if (this.isKeyword('IF') && this.isKeyword('EXISTS', 1)) {
        this.advance();
        this.advance();
        ifExists = true;
      }
      command = { op: 'dropConstraint', name, ifExists };
    } else {
      this.expectKeyword('CREATE');
      command = this.acceptKeyword('VECTOR')
        ? this.vectorIndex()
        : this.acceptKeyword('FULLTEXT')
          ? this.fulltextIndex()
          : this.constraint();
    }
    return { kind: 'SchemaCommand', offset: start, command };
  }

  /** `[name] [IF NOT EXISTS]` after the object keyword. */
  private nameAndIfNotExists(stop: string): { name: string | null; ifNotExists: boolean } {
    let name: string | null = null;
    if (this.isName() && !this.isKeyword(stop) && !(this.isKeyword('IF') && this.isKeyword('NOT', 1))) {
      name = this.advance().text;
    }
    let ifNotExists = false;
    if (this.isKeyword('IF') && this.isKeyword('NOT', 1)) {
      this.advance();
      this.advance();
      this.expectKeyword('EXISTS');
      ifNotExists = true;
    }
    return { name, ifNotExists };
  }

  /** `(n:L)` or `()-[r:T]-()`; returns the variable, entity and label/type. */
  private entityPattern(): { variable: string; entity: 'node' | 'relationship'; token: string } {
    this.expectPunct('(');
    if (this.acceptPunct(')')) {
      this.acceptPunct('<');
      this.expectPunct('-');
      this.expectPunct('[');
      const variable = this.name('a variable name').text;
      this.expectPunct(':');
      const token = this.name('a relationship type').text;
      this.expectPunct(']');
      this.expectPunct('-');
      this.acceptPunct('>');
      this.expectPunct('(');
      this.expectPunct(')');
      return { variable, entity: 'relationship', token };
    }
    const variable = this.name('a variable name').text;
    this.expectPunct(':');
    const token = this.name('a label').text;
    this.expectPunct(')');
    return { variable, entity: 'node', token };
  }

  private propertyOf(variable: string): string {
    const v = this.name('a variable name');
    if (v.text !== variable) {
      throw syntaxError(this.source, v.start, `Property must be on variable '${variable}', not '${v.text}'`);
    }
    this.expectPunct('.');
    return this.name('a property key').text;
  }

  private constraint(): SpecOf<'createConstraint'> {
    this.expectKeyword('CONSTRAINT');
    const { name, ifNotExists } = this.nameAndIfNotExists('FOR');
    if (!this.acceptKeyword('FOR')) this.expectKeyword('ON');
    const { variable, entity, token } = this.entityPattern();
    if (!this.acceptKeyword('REQUIRE')) this.expectKeyword('ASSERT');
    const properties: string[] = [];
    if (this.acceptPunct('(')) {
      do properties.push(this.propertyOf(variable));
      while (this.acceptPunct(','));
      this.expectPunct(')');
    } else {
      properties.push(this.propertyOf(variable));
    }
    let constraintType: ConstraintKind;
    let propertyTypes: string[] | undefined;
    if (this.isPunct(':') && this.isPunct(':', 1)) {
      this.advance();
      this.advance();
      constraintType = 'PROPERTY_TYPE';
      propertyTypes = this.typeAlternatives();
    } else {
      this.expectKeyword('IS');
      if (this.acceptKeyword('TYPED')) {
        constraintType = 'PROPERTY_TYPE';
        propertyTypes = this.typeAlternatives();
      } else if (this.isPunct(':') && this.isPunct(':', 1)) {
        this.advance();
        this.advance();
        constraintType = 'PROPERTY_TYPE';
        propertyTypes = this.typeAlternatives();
      } else if (this.acceptKeyword('NOT')) {
        this.expectKeyword('NULL');
        constraintType = 'NOT_NULL';
      } else {
        // [NODE | RELATIONSHIP | REL] (UNIQUE | KEY)
        if (!this.acceptKeyword('NODE') && !this.acceptKeyword('RELATIONSHIP')) this.acceptKeyword('REL');
        if (this.acceptKeyword('UNIQUE')) constraintType = 'UNIQUE';
        else if (this.acceptKeyword('KEY')) constraintType = 'NODE_KEY';
        else throw this.unexpected('UNIQUE, KEY, NOT NULL or :: <type>');
      }
    }
    if (constraintType === 'PROPERTY_TYPE' && properties.length !== 1) {
      throw syntaxError(
        this.source,
        this.peek().start,
        'A property type constraint is on exactly one property',
      );
    }
    if (constraintType === 'NOT_NULL' && properties.length !== 1) {
      throw syntaxError(
        this.source,
        this.peek().start,
        'A property existence constraint is on exactly one property',
      );
    }
    if (this.acceptKeyword('OPTIONS')) this.literal();
    return {
      op: 'createConstraint',
      name,
      ifNotExists,
      entity,
      labelOrType: token,
      properties,
      constraintType,
      ...(propertyTypes !== undefined ? { propertyTypes } : {}),
    };
  }

  /** `INTEGER | FLOAT`, `LIST<STRING NOT NULL>`, `ANY<…>` is not supported. */
  private typeAlternatives(): string[] {
    const out: string[] = [];
    let current: string[] = [];
    let depth = 0;
    const flush = (): void => {
      if (current.length === 0) throw this.unexpected('a type');
      out.push(current.join(' ').replace(/ ?< ?/g, '<').replace(/ ?> ?/g, '>'));
      current = [];
    };
    for (;;) {
      const t = this.peek();
      if (t.type === 'eof' || (t.type === 'punct' && t.text === ';')) break;
      if (depth === 0 && t.type === 'ident' && t.upper === 'OPTIONS') break;
      if (t.type === 'punct' && t.text === '|' && depth === 0) {
        this.advance();
        flush();
        continue;
      }
      if (t.type === 'punct' && (t.text === '<' || t.text === '>')) {
        depth += t.text === '<' ? 1 : -1;
        current.push(t.text);
      } else if (t.type === 'ident') {
        current.push(t.upper);
      } else {
        throw this.unexpected('a type');
      }
      this.advance();
    }
    flush();
    return out;
  }

  private vectorIndex(): SpecOf<'createVectorIndex'> {
    this.expectKeyword('INDEX');
    const { name, ifNotExists } = this.nameAndIfNotExists('FOR');
    if (name === null) throw this.unexpected('an index name');
    this.expectKeyword('FOR');
    const { variable, entity, token } = this.entityPattern();
    if (entity !== 'node') {
      throw syntaxError(this.source, this.peek().start, 'Vector indexes on relationships are not supported');
    }
    this.expectKeyword('ON');
    const paren = this.acceptPunct('(');
    const property = this.propertyOf(variable);
    if (paren) this.expectPunct(')');
    let options: ReadonlyMap<string, OptionValue> = new Map();
    if (this.acceptKeyword('OPTIONS')) {
      const v = this.literal();
      if (!(v instanceof Map)) throw this.unexpected('an OPTIONS map');
      options = v;
    }
    return { op: 'createVectorIndex', name, ifNotExists, label: token, property, options };
  }

  /** `CREATE FULLTEXT INDEX name [IF NOT EXISTS] FOR (n:A|B) ON EACH [n.a, n.b] [OPTIONS {…}]`. */
  private fulltextIndex(): SpecOf<'createFulltextIndex'> {
    this.expectKeyword('INDEX');
    const { name, ifNotExists } = this.nameAndIfNotExists('FOR');
    if (name === null) throw this.unexpected('an index name');
    this.expectKeyword('FOR');
    this.expectPunct('(');
    let entity: 'node' | 'relationship' = 'node';
    let variable: string;
    const tokens: string[] = [];
    const alternatives = (what: string): void => {
      this.expectPunct(':');
      do tokens.push(this.name(what).text);
      while (this.acceptPunct('|'));
    };
    if (this.acceptPunct(')')) {
      entity = 'relationship';
      this.acceptPunct('<');
      this.expectPunct('-');
      this.expectPunct('[');
      variable = this.name('a variable name').text;
      alternatives('a relationship type');
      this.expectPunct(']');
      this.expectPunct('-');
      this.acceptPunct('>');
      this.expectPunct('(');
      this.expectPunct(')');
    } else {
      variable = this.name('a variable name').text;
      alternatives('a label');
      this.expectPunct(')');
    }
    this.expectKeyword('ON');
    this.expectKeyword('EACH');
    this.expectPunct('[');
    const properties: string[] = [];
    do properties.push(this.propertyOf(variable));
    while (this.acceptPunct(','));
    this.expectPunct(']');
    let options: ReadonlyMap<string, OptionValue> = new Map();
    if (this.acceptKeyword('OPTIONS')) {
      const v = this.literal();
      if (!(v instanceof Map)) throw this.unexpected('an OPTIONS map');
      options = v;
    }
    return {
      op: 'createFulltextIndex',
      name,
      ifNotExists,
      entity,
      labelsOrTypes: tokens,
      properties,
      options,
    };
  }

  /** A literal value: map, list, string, number, boolean or null (OPTIONS maps). */
  private literal(): OptionValue {
    const t = this.peek();
    if (this.acceptPunct('{')) {
      const out = new Map<string, OptionValue>();
      if (!this.acceptPunct('}')) {
        do {
          const key = t.type === 'string' ? this.advance().text : this.name('a map key').text;
          this.expectPunct(':');
          out.set(key, this.literal());
        } while (this.acceptPunct(','));
        this.expectPunct('}');
      }
      return out;
    }
    if (this.acceptPunct('[')) {
      const out: OptionValue[] = [];
      if (!this.acceptPunct(']')) {
        do out.push(this.literal());
        while (this.acceptPunct(','));
        this.expectPunct(']');
      }
      return out;
    }
    const negative = this.acceptPunct('-');
    const v = this.peek();
    if (v.type === 'int') {
      this.advance();
      return (negative ? -1 : 1) * Number(v.bigint ?? 0n);
    }
    if (v.type === 'float') {
      this.advance();
      return (negative ? -1 : 1) * (v.number ?? 0);
    }
    if (negative) throw this.unexpected('a number');
    if (v.type === 'string') return this.advance().text;
    if (this.acceptKeyword('TRUE')) return true;
    if (this.acceptKeyword('FALSE')) return false;
    if (this.acceptKeyword('NULL')) return null;
    throw this.unexpected('a literal value');
  }
}

type SpecOf<Op extends SchemaCommandSpec['op']> = Extract<SchemaCommandSpec, { op: Op }>;

/** Parses the command at `pos`; returns it and the position after it. */
export function parseSchemaCommand(
  source: string,
  tokens: readonly Token[],
  pos: number,
): { body: SchemaCommand; pos: number } {
  const p = new SchemaParser(source, tokens, pos);
  const body = p.command();
  return { body, pos: p.pos };
}
