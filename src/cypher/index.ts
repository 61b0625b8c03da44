/**
 * Public surface of the Cypher front end: parse query text into the AST, analyze it
 * (scopes, compile-time errors) and classify it as read or write.
 */
export type * from './ast.js';
export { assertNever } from './ast.js';
export { CypherError, type CypherErrorClass, type SourcePosition } from './errors.js';
export { parseStatement as parse } from './parser.js';
