/**
 * The body of `nexus import`: reads node files, then relationship files (CSV in
 * neo4j-admin's header conventions, or JSONL), maps external ids per id space to dense
 * node ids, and feeds the storage `BulkLoader`, which writes everything in one
 * transaction at the end. A bad row stops the import (nothing is written) unless
 * `skipBadRows`, which skips up to `maxBadRows` of them; each is reported as `file:line`.
 */
import { statSync } from 'node:fs';
import { NexusError } from '../../errors.js';
import { jsonToCheckedPropertyMap } from '../../engine/property-json.js';
import { parseJsonBody } from '../../server/json-body.js';
import type { BulkCommitResult, BulkLoader } from '../../storage/index.js';
import type { PropertyValue } from '../../storage/types.js';
import { RowError, convertField, parseHeaderField, splitRecord, type Column } from './csv-format.js';
import { readLineBatches } from './line-source.js';

export interface InputGroup {
  /** Labels (nodes) or the type (relationships, at most one) given as `Label:Other=FILE`. */
  readonly names: readonly string[];
  /** Files of the group; for CSV the header is the first line of the first file. */
  readonly files: readonly string[];
}

export interface ImportOptions {
  readonly nodes: readonly InputGroup[];
  readonly relationships: readonly InputGroup[];
  readonly delimiter?: string;
  readonly arrayDelimiter?: string;
  readonly quote?: string;
  /** How a named `:ID` column's value is stored as a property. Default 'string'. */
  readonly idType?: 'string' | 'integer';
  readonly skipBadRows?: boolean;
  /** With `skipBadRows`: more bad rows than this abort the import. Default 1000. */
  readonly maxBadRows?: number;
  readonly onProgress?: (p: ImportProgress) => void;
  readonly onBadRow?: (row: BadRow) => void;
  /** Called after reading, before writing, with the exact bytes the namespace will hold. */
  readonly beforeCommit?: (loader: BulkLoader, exactBytes: number) => Promise<void>;
}

export interface ImportProgress {
  readonly records: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
}

export interface BadRow {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface ImportSummary extends BulkCommitResult {
  readonly badRows: number;
  readonly seconds: number;
}

/** Parses `Label:Other=a.csv,b.csv` (or `a.csv`) into names and files. */
export function parseInputGroup(spec: string): InputGroup {
  const eq = spec.indexOf('=');
  const names =
    eq < 0
      ? []
      : spec
          .slice(0, eq)
          .split(':')
          .filter((s) => s.length > 0);
  const files = (eq < 0 ? spec : spec.slice(eq + 1)).split(',').filter((s) => s.length > 0);
  if (files.length === 0) throw new NexusError('INVALID_PARAMETER', `'${spec}' names no file`);
  return { names, files };
}

function isJsonLines(file: string): boolean {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(file);
}

const STATE_EVERY = 8192;

class Importer {
  private readonly ids = new Map<string, Map<string, number>>();
  private badRows = 0;
  private records = 0;
  private bytesDone = 0;
  private readonly totalBytes: number;
  private lastProgress = 0;
  private readonly delimiter: string;
  private readonly arrayDelimiter: string;
  private readonly quote: string;
  // Scratch arrays reused for every record (the loader copies what it needs).
  private readonly labelIds: number[] = [];
  private readonly keyIds: number[] = [];
  private readonly values: PropertyValue[] = [];

  constructor(
    private readonly loader: BulkLoader,
    private readonly options: ImportOptions,
  ) {
    this.delimiter = options.delimiter ?? ',';
    this.arrayDelimiter = options.arrayDelimiter ?? ';';
    this.quote = options.quote ?? '"';
    if (this.delimiter.length === 0 || this.quote.length === 0 || this.arrayDelimiter.length === 0) {
      throw new NexusError('INVALID_PARAMETER', 'delimiters and the quote character must not be empty');
    }
    let total = 0;
    for (const g of [...options.nodes, ...options.relationships]) {
      for (const f of g.files) {
        try {
          total += statSync(f).size;
        } catch {
          throw new NexusError('NOT_FOUND', `input file ${f} does not exist or cannot be read`);
        }
      }
    }
    this.totalBytes = total;
  }

  private space(name: string): Map<string, number> {
    let m = this.ids.get(name);
    if (m === undefined) {
      m = new Map();
      this.ids.set(name, m);
    }
    return m;
  }

  private bad(file: string, line: number, message: string): void {
    const row = { file, line, message };
    this.options.onBadRow?.(row);
    const where = `${file}:${line}: ${message}`;
    if (!this.options.skipBadRows) {
      throw new NexusError('IMPORT_INVALID_ROW', `${where}; nothing was imported`, { details: row });
    }
    this.badRows++;
    const max = this.options.maxBadRows ?? 1000;
    if (this.badRows > max) {
      throw new NexusError(
        'IMPORT_INVALID_ROW',
        `more than ${max} bad rows (the last: ${where}); nothing was imported`,
        { details: { ...row, badRows: this.badRows, maxBadRows: max } },
      );
    }
  }

  private tick(bytesInFile: number): void {
    const onProgress = this.options.onProgress;
    if (onProgress === undefined) return;
    const now = Date.now();
    if (now - this.lastProgress < 100) return;
    this.lastProgress = now;
    onProgress({
      records: this.records,
      bytesRead: this.bytesDone + bytesInFile,
      totalBytes: this.totalBytes,
    });
  }

  /** Runs `row` for every record of every file of the group, with its line number. */
  private async eachRecord(
    group: InputGroup,
    csv: boolean,
    onHeader: ((fields: string[], file: string) => void) | undefined,
    row: (fields: string[] | string, file: string, line: number) => void,
  ): Promise<void> {
    let headerSeen = false;
    for (const file of group.files) {
      let lineNo = 0;
      let pending: string | undefined;
      let pendingLine = 0;
      let fileBytes = 0;
      const name = file;
      for await (const lines of readLineBatches(file, (b) => (fileBytes = b))) {
        for (let i = 0; i < lines.length; i++) {
          lineNo++;
          let text = lines[i]!;
          if (!csv) {
            if (text.trim().length === 0) continue;
            row(text, name, lineNo);
            if ((++this.records & (STATE_EVERY - 1)) === 0) this.tick(fileBytes);
            continue;
          }
          let startLine = lineNo;
          if (pending !== undefined) {
            text = `${pending}\n${text}`;
            startLine = pendingLine;
          }
          const fields = splitRecord(text, this.delimiter, this.quote);
          if (fields === undefined) {
            pending = text;
            pendingLine = startLine;
            continue;
          }
          pending = undefined;
          if (!headerSeen) {
            headerSeen = true;
            onHeader!(fields, name);
            continue;
          }
          if (text.length === 0) continue;
          row(fields, name, startLine);
          if ((++this.records & (STATE_EVERY - 1)) === 0) this.tick(fileBytes);
        }
        this.tick(fileBytes);
      }
      if (pending !== undefined)
        this.bad(name, pendingLine, 'a quoted field is not closed before the end of the file');
      this.bytesDone += fileBytes;
    }
    if (csv && !headerSeen) throw new NexusError('INVALID_PARAMETER', `${group.files[0]} has no header line`);
  }

  private header(fields: string[], file: string, forRelationships: boolean): Column[] {
    try {
      const cols = fields.map((f) => parseHeaderField(f.trim(), forRelationships));
      const count = (k: Column['kind']) => cols.filter((c) => c.kind === k).length;
      if (forRelationships && (count('start') !== 1 || count('end') !== 1)) {
        throw new Error('a relationships header needs exactly one :START_ID and one :END_ID column');
      }
      if (count('id') > 1 || count('type') > 1) throw new Error('at most one :ID / :TYPE column');
      return cols;
    } catch (err) {
      throw new NexusError('INVALID_PARAMETER', `${file}:1: ${(err as Error).message}`);
    }
  }

  async importNodes(group: InputGroup): Promise<void> {
    const loader = this.loader;
    const fileLabels = group.names.map((l) => loader.labelId(l));
    let cols: Column[] = [];
    let keyOf: number[] = [];
    const csv = !group.files.some(isJsonLines);
    const { labelIds, keyIds, values, arrayDelimiter } = this;
    const idType = this.options.idType ?? 'string';
    const addNode = (idSpace: string, id: string | undefined, file: string, line: number): boolean => {
      if (id === undefined) return true;
      const space = this.space(idSpace);
      if (space.has(id)) {
        this.bad(file, line, `duplicate node id '${id}'${idSpace === '' ? '' : ` in id space '${idSpace}'`}`);
        return false;
      }
      space.set(id, loader.nodeCount);
      return true;
    };
    await this.eachRecord(
      group,
      csv,
      (fields, file) => {
        cols = this.header(fields, file, false);
        keyOf = cols.map((c) =>
          c.kind === 'property'
            ? loader.keyId(c.name)
            : c.kind === 'id' && c.property !== undefined
              ? loader.keyId(c.property)
              : -1,
        );
      },
      (record, file, line) => {
        labelIds.length = 0;
        for (const l of fileLabels) labelIds.push(l);
        let n = 0;
        let idValue: string | undefined;
        let idSpace = '';
        try {
          if (typeof record === 'string') {
            const obj = parseJsonBody(record);
            if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
              throw new RowError('a line must be a JSON object');
            const o = obj as { id?: unknown; idSpace?: unknown; labels?: unknown; properties?: unknown };
            if (o.id !== undefined) {
              if (typeof o.id !== 'string' && typeof o.id !== 'number')
                throw new RowError('id must be a string or a number');
              idValue = String(o.id);
            }
            if (o.idSpace !== undefined) idSpace = String(o.idSpace);
            if (o.labels !== undefined) {
              if (!Array.isArray(o.labels) || o.labels.some((x) => typeof x !== 'string'))
                throw new RowError('labels must be an array of strings');
              for (const l of o.labels as string[]) {
                const id = loader.labelId(l);
                if (!labelIds.includes(id)) labelIds.push(id);
              }
            }
            for (const [k, v] of jsonToCheckedPropertyMap(o.properties, 'properties')) {
              keyIds[n] = loader.keyId(k);
              values[n++] = v;
            }
          } else {
            if (record.length !== cols.length)
              throw new RowError(`expected ${cols.length} fields, found ${record.length}`);
            for (let c = 0; c < cols.length; c++) {
              const col = cols[c]!;
              const text = record[c]!;
              if (col.kind === 'property') {
                if (text.length === 0) continue;
                keyIds[n] = keyOf[c]!;
                values[n++] = convertField(text, col.type, col.array, arrayDelimiter);
              } else if (col.kind === 'id') {
                if (text.length === 0) throw new RowError('the :ID field is empty');
                idValue = text;
                idSpace = col.space;
                if (col.property !== undefined) {
                  keyIds[n] = keyOf[c]!;
                  values[n++] =
                    idType === 'integer' ? convertField(text, 'int', false, arrayDelimiter) : text;
                }
              } else if (col.kind === 'label') {
                if (text.length === 0) continue;
                for (const l of text.split(arrayDelimiter)) {
                  if (l.length === 0) continue;
                  const id = loader.labelId(l);
                  if (!labelIds.includes(id)) labelIds.push(id);
                }
              }
            }
          }
        } catch (err) {
          if (err instanceof RowError || err instanceof NexusError) {
            this.bad(file, line, err.message);
            return;
          }
          throw err;
        }
        if (!addNode(idSpace, idValue, file, line)) return;
        loader.addNode(labelIds, keyIds, values, n);
      },
    );
  }

  async importRelationships(group: InputGroup): Promise<void> {
    const loader = this.loader;
    if (group.names.length > 1) {
      throw new NexusError(
        'INVALID_PARAMETER',
        `a relationship has one type; '${group.names.join(':')}' names several`,
      );
    }
    const fileType = group.names.length === 1 ? loader.typeId(group.names[0]!) : -1;
    let cols: Column[] = [];
    let keyOf: number[] = [];
    const csv = !group.files.some(isJsonLines);
    const { keyIds, values, arrayDelimiter } = this;
    const endpoint = (space: string, id: string, which: string): number => {
      const node = this.ids.get(space)?.get(id);
      if (node === undefined) {
        throw new RowError(
          `unknown ${which} node id '${id}'${space === '' ? '' : ` in id space '${space}'`}`,
        );
      }
      return node;
    };
    await this.eachRecord(
      group,
      csv,
      (fields, file) => {
        cols = this.header(fields, file, true);
        keyOf = cols.map((c) => (c.kind === 'property' ? loader.keyId(c.name) : -1));
      },
      (record, file, line) => {
        let n = 0;
        let type = fileType;
        let start = -1;
        let end = -1;
        try {
          if (typeof record === 'string') {
            const obj = parseJsonBody(record);
            if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
              throw new RowError('a line must be a JSON object');
            const o = obj as Record<string, unknown>;
            for (const f of ['start', 'end'] as const) {
              if (typeof o[f] !== 'string' && typeof o[f] !== 'number')
                throw new RowError(`${f} must be a node id (string or number)`);
            }
            start = endpoint(String(o.startSpace ?? ''), String(o.start), 'start');
            end = endpoint(String(o.endSpace ?? ''), String(o.end), 'end');
            if (o.type !== undefined) {
              if (typeof o.type !== 'string') throw new RowError('type must be a string');
              type = loader.typeId(o.type);
            }
            for (const [k, v] of jsonToCheckedPropertyMap(o.properties, 'properties')) {
              keyIds[n] = loader.keyId(k);
              values[n++] = v;
            }
          } else {
            if (record.length !== cols.length)
              throw new RowError(`expected ${cols.length} fields, found ${record.length}`);
            for (let c = 0; c < cols.length; c++) {
              const col = cols[c]!;
              const text = record[c]!;
              if (col.kind === 'property') {
                if (text.length === 0) continue;
                keyIds[n] = keyOf[c]!;
                values[n++] = convertField(text, col.type, col.array, arrayDelimiter);
              } else if (col.kind === 'start') {
                start = endpoint(col.space, text, 'start');
              } else if (col.kind === 'end') {
                end = endpoint(col.space, text, 'end');
              } else if (col.kind === 'type' && text.length > 0) {
                type = loader.typeId(text);
              }
            }
          }
          if (type < 0) throw new RowError('no relationship type (give a :TYPE column or TYPE=FILE)');
        } catch (err) {
          if (err instanceof RowError || err instanceof NexusError) {
            this.bad(file, line, err.message);
            return;
          }
          throw err;
        }
        loader.addRelationship(type, start, end, keyIds, values, n);
      },
    );
  }

  get skipped(): number {
    return this.badRows;
  }
}

/** Reads every input into `loader` and commits it. */
export async function runImport(loader: BulkLoader, options: ImportOptions): Promise<ImportSummary> {
  const t0 = performance.now();
  const importer = new Importer(loader, options);
  for (const g of options.nodes) await importer.importNodes(g);
  for (const g of options.relationships) await importer.importRelationships(g);
  if (options.beforeCommit !== undefined) await options.beforeCommit(loader, loader.exactBytes());
  const result = loader.commit();
  return { ...result, badRows: importer.skipped, seconds: (performance.now() - t0) / 1000 };
}
