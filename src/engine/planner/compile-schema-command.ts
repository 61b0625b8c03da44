/**
 * Plans the schema commands of parse-schema-command.ts (constraints, vector indexes) and
 * SHOW INDEXES: each is a single operator, no input.
 */
import type * as Ast from '../../cypher/ast.js';
import {
  SHOW_CONSTRAINTS_COLUMNS,
  SHOW_INDEXES_COLUMNS,
  createConstraintOperator,
  createFulltextIndexOperator,
  createVectorIndexOperator,
  dropConstraintOperator,
  showConstraintsOperator,
  showIndexesOperator,
} from '../executor/schema-operators.js';
import type { Operator } from '../executor/operator.js';
import type { CompiledQuery } from './compile-statement.js';

function compiled(
  mode: Ast.ExecutionMode,
  root: Operator,
  columns: readonly string[],
  isWrite: boolean,
): CompiledQuery {
  return { columns, isWrite, mode, root, parameters: [], mergeOnly: false };
}

export function compileSchemaCommand(
  mode: Ast.ExecutionMode,
  body: Ast.SchemaCommand | Ast.ShowIndexes,
): CompiledQuery {
  if (body.kind === 'ShowIndexes') return compiled(mode, showIndexesOperator(), SHOW_INDEXES_COLUMNS, false);
  const c = body.command;
  switch (c.op) {
    case 'createConstraint':
      return compiled(mode, createConstraintOperator(c), [], true);
    case 'dropConstraint':
      return compiled(mode, dropConstraintOperator(c), [], true);
    case 'showConstraints':
      return compiled(mode, showConstraintsOperator(), SHOW_CONSTRAINTS_COLUMNS, false);
    case 'createVectorIndex':
      return compiled(mode, createVectorIndexOperator(c), [], true);
    case 'createFulltextIndex':
      return compiled(mode, createFulltextIndexOperator(c), [], true);
  }
}
