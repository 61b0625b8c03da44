/**
 * `vector.similarity.cosine(a, b)` and `vector.similarity.euclidean(a, b)`: Neo4j's
 * similarity scores of two equal-length numeric lists, the same scores
 * `db.index.vector.queryNodes` returns (cosine (1 + cos) / 2, euclidean 1 / (1 + d²)).
 */
import { similarity, type VectorSimilarity } from '../../storage/schema-definitions.js';
import type { Value } from '../values.js';
import { argumentError } from './errors.js';
import { badArg, spec, type FunctionSpec } from './function-spec.js';

function toFloats(name: string, v: Value): Float32Array {
  if (!Array.isArray(v)) return badArg(name, v, 'a LIST<FLOAT>');
  const list = v as readonly Value[];
  const out = new Float32Array(list.length);
  list.forEach((x, i) => {
    if (typeof x === 'bigint') out[i] = Number(x);
    else if (typeof x === 'number') out[i] = x;
    else badArg(name, x, 'a list of numbers');
  });
  return out;
}

function similarityFn(kind: VectorSimilarity): FunctionSpec {
  const name = `vector.similarity.${kind}`;
  return spec(name, 2, 2, (args) => {
    const [a, b] = args;
    if (a === null || b === null || a === undefined || b === undefined) return null;
    const x = toFloats(name, a);
    const y = toFloats(name, b);
    if (x.length !== y.length || x.length === 0) {
      throw argumentError(
        'InvalidArgumentValue',
        `${name}() needs two non-empty vectors of the same dimension`,
      );
    }
    return similarity(kind, x, y);
  });
}

export const VECTOR_FUNCTIONS: readonly FunctionSpec[] = [similarityFn('cosine'), similarityFn('euclidean')];
