/**
 * A PackStream structure as it travels: a one-byte tag and its fields. Messages (HELLO,
 * RUN, SUCCESS, …) and graph/temporal values (Node, Date, …) are both structures; the
 * message layer and the value codec give the tags their meaning.
 */
import type { PackValue } from './packstream-writer.js';

export class BoltStruct {
  constructor(
    readonly tag: number,
    readonly fields: readonly PackValue[],
  ) {}
}
