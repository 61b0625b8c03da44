/**
 * Small constructors for the runtime errors the function layer raises, so every
 * module reports the same TCK class/detail pairs with readable messages.
 */
import { CypherError } from '../../cypher/errors.js';

export function typeError(detail: string, message: string): CypherError {
  return new CypherError('TypeError', detail, message);
}

export function argumentError(detail: string, message: string): CypherError {
  return new CypherError('ArgumentError', detail, message);
}

export function arithmeticError(detail: string, message: string): CypherError {
  return new CypherError('ArithmeticError', detail, message);
}

export function integerOverflow(op: string): CypherError {
  return arithmeticError('IntegerOverflow', `integer overflow in ${op}: result is outside the 64-bit range`);
}
