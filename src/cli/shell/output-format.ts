/**
 * Output formats of `nexus shell` (and `nexus query --format`): `table` (aligned, the TTY
 * default, src/cli/format-table.ts), `plain` (tab-separated with a header, for pipes),
 * `csv` (RFC 4180) and `json` (one JSON object per row, values in the lossless wire form).
 */
import { serializeValue } from '../../engine/json-values.js';
import type { Value } from '../../engine/values.js';
import { formatTable, formatValue } from '../format-table.js';
import type { ShellResult } from './shell-backend.js';

export const OUTPUT_FORMATS = ['table', 'plain', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell as text for plain/csv: strings unquoted, everything else as in the table. */
function cellText(v: Value): string {
  return typeof v === 'string' ? v : formatValue(v);
}

export function formatResult(result: ShellResult, format: OutputFormat): string {
  switch (format) {
    case 'table':
      return formatTable(result);
    case 'plain': {
      const lines = [result.columns.join('\t')];
      for (const row of result.rows)
        lines.push(row.map((v) => cellText(v).replace(/[\t\n]/g, ' ')).join('\t'));
      return result.columns.length === 0 ? '' : lines.join('\n');
    }
    case 'csv': {
      const lines = [result.columns.map(csvCell).join(',')];
      for (const row of result.rows) lines.push(row.map((v) => csvCell(cellText(v))).join(','));
      return result.columns.length === 0 ? '' : lines.join('\n');
    }
    case 'json':
      return result.rows
        .map(
          (row) =>
            `{${result.columns.map((c, i) => `${JSON.stringify(c)}:${serializeValue(row[i] ?? null)}`).join(',')}}`,
        )
        .join('\n');
  }
}
