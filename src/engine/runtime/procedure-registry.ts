/**
 * Procedures callable with `CALL name(args) YIELD ...`: the built-in `db.*` catalogue
 * procedures (always answered from the caller's own namespace transaction) and
 * table-backed procedures registered at runtime (the TCK's "there exists a procedure").
 */
import { CypherError } from '../../cypher/errors.js';
import type { GraphReader } from '../../storage/types.js';
import type { ProcedureDefinition } from '../api.js';
import type { Value } from '../values.js';
import { SCHEMA_PROCEDURES } from './schema-procedures.js';

export interface ProcedureSignature {
  readonly name: string;
  /** `optional` inputs come last and may be left out (the procedure then sees no value). */
  readonly inputs: readonly { name: string; type: string; optional?: boolean }[];
  readonly outputs: readonly { name: string; type: string }[];
}

export interface Procedure extends ProcedureSignature {
  /** Output rows (values in `outputs` order) for these arguments. */
  invoke(args: readonly Value[], tx: GraphReader): Iterable<readonly Value[]>;
}

function sorted(names: string[]): (readonly Value[])[] {
  return names.sort().map((n) => [n]);
}

const BUILT_INS: readonly Procedure[] = [
  {
    name: 'db.labels',
    inputs: [],
    outputs: [{ name: 'label', type: 'STRING?' }],
    invoke: (_args, tx) => sorted(tx.labels()),
  },
  {
    name: 'db.relationshipTypes',
    inputs: [],
    outputs: [{ name: 'relationshipType', type: 'STRING?' }],
    invoke: (_args, tx) => sorted(tx.relationshipTypes()),
  },
  {
    name: 'db.propertyKeys',
    inputs: [],
    outputs: [{ name: 'propertyKey', type: 'STRING?' }],
    invoke: (_args, tx) => sorted(tx.propertyKeys()),
  },
];

/** Equality for procedure-table lookups: scalars only, INTEGER and FLOAT compare numerically. */
function sameArg(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return Number(a) === Number(b);
  }
  return a === b;
}

function checkArgType(value: Value, type: string, proc: string, arg: string): Value {
  if (value === null) return null;
  const base = type.replace(/\?$/, '').toUpperCase();
  const ok =
    base === 'ANY' ||
    (base === 'INTEGER' && typeof value === 'bigint') ||
    (base === 'FLOAT' && (typeof value === 'number' || typeof value === 'bigint')) ||
    (base === 'NUMBER' && (typeof value === 'number' || typeof value === 'bigint')) ||
    (base === 'STRING' && typeof value === 'string') ||
    (base === 'BOOLEAN' && typeof value === 'boolean') ||
    !['INTEGER', 'FLOAT', 'NUMBER', 'STRING', 'BOOLEAN'].includes(base);
  if (!ok) {
    throw new CypherError(
      'SyntaxError',
      'InvalidArgumentType',
      `Procedure ${proc}: argument ${arg} must be ${type}`,
    );
  }
  return base === 'FLOAT' && typeof value === 'bigint' ? Number(value) : value;
}

function tableProcedure(def: ProcedureDefinition): Procedure {
  const nIn = def.inputs.length;
  return {
    name: def.name,
    inputs: def.inputs,
    outputs: def.outputs,
    *invoke(args) {
      const checked = args.map((a, i) => checkArgType(a, def.inputs[i]!.type, def.name, def.inputs[i]!.name));
      for (const row of def.rows) {
        let match = true;
        for (let i = 0; i < nIn; i++) {
          if (!sameArg(row[i] ?? null, checked[i] ?? null)) {
            match = false;
            break;
          }
        }
        if (match) yield row.slice(nIn);
      }
    },
  };
}

export class ProcedureRegistry {
  private readonly procs = new Map<string, Procedure>();

  constructor() {
    for (const p of [...BUILT_INS, ...SCHEMA_PROCEDURES]) this.procs.set(p.name.toLowerCase(), p);
  }

  register(def: ProcedureDefinition): void {
    this.procs.set(def.name.toLowerCase(), tableProcedure(def));
  }

  /** Throws ProcedureError ProcedureNotFound for an unknown name. */
  get(name: string): Procedure {
    const p = this.procs.get(name.toLowerCase());
    if (!p)
      throw new CypherError('ProcedureError', 'ProcedureNotFound', `There is no procedure named ${name}`);
    return p;
  }

  list(): Procedure[] {
    return [...this.procs.values()];
  }
}
