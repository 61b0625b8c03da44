/**
 * Cypher errors. Each carries the openCypher TCK error class and detail name (so the
 * TCK runner can check them) and maps onto one stable Nexus error code for clients.
 */
import { NexusError, type ErrorCode } from '../errors.js';

export type CypherErrorClass =
  | 'SyntaxError'
  | 'SemanticError'
  | 'TypeError'
  | 'ArgumentError'
  | 'ArithmeticError'
  | 'EntityNotFound'
  | 'ConstraintVerificationFailed'
  | 'ProcedureError'
  | 'ParameterMissing';

/** Line and column are 1-based; offset is 0-based into the query text. */
export interface SourcePosition {
  offset: number;
  line: number;
  column: number;
}

/** SyntaxError details that are true parse failures; the rest are semantic checks. */
const PARSE_DETAILS = new Set([
  'UnexpectedSyntax',
  'InvalidNumberLiteral',
  'InvalidUnicodeLiteral',
  'IntegerOverflow',
  'FloatingPointOverflow',
]);

function codeFor(errorClass: CypherErrorClass, detail: string): ErrorCode {
  switch (errorClass) {
    case 'SyntaxError':
      return PARSE_DETAILS.has(detail) ? 'CYPHER_SYNTAX_ERROR' : 'CYPHER_SEMANTIC_ERROR';
    case 'SemanticError':
    case 'ParameterMissing':
      return 'CYPHER_SEMANTIC_ERROR';
    case 'TypeError':
      return 'CYPHER_TYPE_ERROR';
    case 'ArgumentError':
      return 'CYPHER_ARGUMENT_ERROR';
    case 'ArithmeticError':
      return 'CYPHER_ARITHMETIC_ERROR';
    case 'EntityNotFound':
      return 'CYPHER_ENTITY_NOT_FOUND';
    case 'ConstraintVerificationFailed':
      return 'CYPHER_CONSTRAINT_VIOLATION';
    case 'ProcedureError':
      return 'CYPHER_PROCEDURE_ERROR';
  }
}

export class CypherError extends NexusError {
  readonly errorClass: CypherErrorClass;
  readonly detail: string;
  readonly position?: SourcePosition;

  constructor(
    errorClass: CypherErrorClass,
    detail: string,
    message: string,
    options: { position?: SourcePosition; cause?: unknown } = {},
  ) {
    const details: Record<string, unknown> = { class: errorClass, detail };
    if (options.position) {
      details.line = options.position.line;
      details.column = options.position.column;
      details.offset = options.position.offset;
    }
    super(codeFor(errorClass, detail), message, { details, cause: options.cause });
    this.name = 'CypherError';
    this.errorClass = errorClass;
    this.detail = detail;
    if (options.position) this.position = options.position;
  }
}
