/**
 * Read/write classification of a parsed statement. The server derives the permission
 * a query needs (READ or WRITE) from this, never from keywords in the text, so a
 * `CREATE` inside a string literal or a comment cannot change the answer.
 */
import { assertNever, type Clause, type Query, type Statement } from './ast.js';

export interface WriteCheckOptions {
  /** Whether a procedure (by qualified name) writes; no built-in procedure does. */
  readonly isWriteProcedure?: (name: string) => boolean;
}

/** True when running the statement may change data or schema. */
export function isWriteQuery(statement: Statement, options: WriteCheckOptions = {}): boolean {
  const body = statement.body;
  switch (body.kind) {
    case 'CreateIndex':
    case 'DropIndex':
      return true;
    case 'ShowIndexes':
      return false;
    case 'SchemaCommand':
      return body.command.op !== 'showConstraints';
    case 'Query':
      return queryWrites(body, options);
    default:
      return assertNever(body);
  }
}

/** True when a query (for instance the body of `CALL { ... }`) has an updating clause. */
export function queryWrites(query: Query, options: WriteCheckOptions = {}): boolean {
  if (clausesWrite(query.first.clauses, options)) return true;
  return query.unions.some((part) => clausesWrite(part.query.clauses, options));
}

function clausesWrite(clauses: readonly Clause[], options: WriteCheckOptions): boolean {
  for (const clause of clauses) {
    switch (clause.kind) {
      case 'Create':
      case 'Merge':
      case 'Set':
      case 'Remove':
      case 'Delete':
      case 'Foreach':
        return true;
      case 'Call':
        if (options.isWriteProcedure?.(clause.procedure) === true) return true;
        break;
      case 'CallSubquery':
        if (queryWrites(clause.query, options)) return true;
        break;
      case 'Match':
      case 'With':
      case 'Return':
      case 'Unwind':
        // EXISTS subqueries inside expressions are checked to be read-only by analysis
        break;
      default:
        assertNever(clause);
    }
  }
  return false;
}
