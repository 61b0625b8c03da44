/**
 * Splits shell input into complete Cypher statements at `;` outside strings, backquoted
 * names and comments, keeping the unfinished tail for the next line (multi-line input).
 */
export interface SplitResult {
  /** Complete statements, trimmed, without the `;`, empty ones dropped. */
  statements: string[];
  /** Text after the last `;` (an unfinished statement), untrimmed. */
  rest: string;
}

export function splitStatements(text: string): SplitResult {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  let quote: string | null = null;
  let lineComment = false;
  let blockComment = false;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (lineComment) {
      if (ch === '\n') lineComment = false;
    } else if (blockComment) {
      if (ch === '*' && next === '/') {
        blockComment = false;
        i++;
      }
    } else if (quote !== null) {
      if (ch === '\\' && quote !== '`') i++;
      else if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
    } else if (ch === '/' && next === '/') {
      lineComment = true;
      i++;
    } else if (ch === '/' && next === '*') {
      blockComment = true;
      i++;
    } else if (ch === ';') {
      const statement = text.slice(start, i).trim();
      if (statement !== '' && !isOnlyComments(statement)) statements.push(statement);
      start = i + 1;
    }
    i++;
  }
  return { statements, rest: text.slice(start) };
}

/** Whether `text` holds nothing but whitespace and comments. */
export function isOnlyComments(text: string): boolean {
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/[^\n]*/g, '')
      .trim() === ''
  );
}
