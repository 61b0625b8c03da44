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

/** The updating clauses: the one list analysis, the planner and this check share. */
export const UPDATING_CLAUSES: ReadonlySet<Clause['kind']> = new Set<Clause['kind']>([
  'Create',
  'Merge',
  'Set',
  'Remove',
  'Delete',
  'Foreach',
]);

/** True for an updating clause kind (CREATE, MERGE, SET, REMOVE, DELETE, FOREACH). */
export function isUpdatingClause(clause: Clause): boolean {
  return UPDATING_CLAUSES.has(clause.kind);
}

function clausesWrite(clauses: readonly Clause[], options: WriteCheckOptions): boolean {
  for (const clause of clauses) {
    if (isUpdatingClause(clause)) return true;
    switch (clause.kind) {
      case 'Call':
        if (options.isWriteProcedure?.(clause.procedure) === true) return true;
        break;
      case 'CallSubquery':
        if (queryWrites(clause.query, options)) return true;
        break;
      default:
        // EXISTS subqueries inside expressions are checked to be read-only by analysis
        break;
    }
  }
  return false;
}
