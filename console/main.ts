/**
 * The Nexus web console (browser entry point, bundled by tools/build-console.mjs): API-key
 * login (kept in memory, or in sessionStorage when asked; never in a URL), a CodeMirror
 * Cypher editor with completion of the schema's labels, types and property keys, JSON
 * parameters, results as a table or a graph, the schema sidebar and the query history.
 */
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { defaultHighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { cypher } from '@codemirror/legacy-modes/mode/cypher';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';
import { drawGraph } from './graph-view.js';

const KEY_STORE = 'nexus.console.key';
const HISTORY_STORE = 'nexus.console.history';
const HISTORY_MAX = 50;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

let apiKey: string | null = sessionStorage.getItem(KEY_STORE);
const schema = { labels: [] as string[], types: [] as string[], keys: [] as string[] };
let lastRows: unknown[][] = [];
let view: 'table' | 'graph' = 'table';

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json: unknown = text === '' ? null : JSON.parse(text);
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'HTTP_' + res.status, err?.message ?? res.statusText);
  }
  return json;
}

function firstList(json: unknown): string[] {
  for (const v of Object.values(json as Record<string, unknown>)) if (Array.isArray(v)) return v.map(String);
  return [];
}

function fillList(id: string, items: string[], insert: (s: string) => string): void {
  $(id).replaceChildren(
    ...items.map((s) => {
      const li = document.createElement('li');
      li.textContent = s;
      li.addEventListener('click', () => setQuery(insert(s)));
      return li;
    }),
  );
}

const ident = (s: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? s : '`' + s.replace(/`/g, '``') + '`';

async function loadSchema(): Promise<void> {
  const [labels, types, keys] = await Promise.all([
    api('GET', '/schema/labels'),
    api('GET', '/schema/rel_types'),
    api('GET', '/schema/property_keys'),
  ]);
  schema.labels = firstList(labels);
  schema.types = firstList(types);
  schema.keys = firstList(keys);
  fillList('schema-labels', schema.labels, (l) => `MATCH (n:${ident(l)}) RETURN n LIMIT 25`);
  fillList('schema-types', schema.types, (t) => `MATCH p=()-[r:${ident(t)}]->() RETURN p LIMIT 25`);
  fillList('schema-keys', schema.keys, (k) => `MATCH (n) WHERE n.${ident(k)} IS NOT NULL RETURN n LIMIT 25`);
}

/** Completion: `:` → labels and types, `.` → property keys, otherwise keywords and all names. */
const KEYWORDS = [
  'MATCH',
  'OPTIONAL MATCH',
  'WHERE',
  'RETURN',
  'CREATE',
  'MERGE',
  'DELETE',
  'DETACH DELETE',
  'SET',
  'REMOVE',
  'WITH',
  'UNWIND',
  'ORDER BY',
  'LIMIT',
  'SKIP',
  'CALL',
  'YIELD',
  'DISTINCT',
  'AS',
  'AND',
  'OR',
  'NOT',
  'COUNT',
];
function complete(ctx: CompletionContext): CompletionResult | null {
  const word = ctx.matchBefore(/[:.]?`?[A-Za-z_][A-Za-z0-9_]*|[:.]/);
  if (word === null || (word.from === word.to && !ctx.explicit)) return null;
  const lead = word.text[0];
  if (lead === ':') {
    return {
      from: word.from + 1,
      options: [
        ...schema.labels.map((l) => ({ label: ident(l), type: 'class', detail: 'label' })),
        ...schema.types.map((t) => ({ label: ident(t), type: 'type', detail: 'relationship type' })),
      ],
    };
  }
  if (lead === '.') {
    return { from: word.from + 1, options: schema.keys.map((k) => ({ label: ident(k), type: 'property' })) };
  }
  return {
    from: word.from,
    options: [
      ...KEYWORDS.map((k) => ({ label: k, type: 'keyword' })),
      ...schema.keys.map((k) => ({ label: ident(k), type: 'property' })),
    ],
  };
}

let editor: EditorView;
function setQuery(q: string): void {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: q } });
  editor.focus();
}

function historyList(): string[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(HISTORY_STORE) ?? '[]');
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
function renderHistory(): void {
  fillList('history', historyList(), (q) => q);
}
function remember(q: string): void {
  const list = [q, ...historyList().filter((x) => x !== q)].slice(0, HISTORY_MAX);
  sessionStorage.setItem(HISTORY_STORE, JSON.stringify(list));
  renderHistory();
}

function cell(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function renderTable(columns: string[], rows: unknown[][]): void {
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const c of columns) head.append(Object.assign(document.createElement('th'), { textContent: c }));
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const v of r) tr.insertCell().textContent = cell(v);
  }
  $('table-view').replaceChildren(table);
}

function showView(which: 'table' | 'graph'): void {
  view = which;
  $('table-view').hidden = which !== 'table';
  $('graph-view').hidden = which !== 'graph';
  $('view-table').classList.toggle('active', which === 'table');
  $('view-graph').classList.toggle('active', which === 'graph');
  if (which === 'graph') drawGraph($('graph-view'), lastRows);
}

function showError(message: string | null): void {
  const box = $('error');
  box.hidden = message === null;
  box.textContent = message ?? '';
}

async function run(): Promise<void> {
  // Chromium may insert no-break spaces into the editable area; Cypher wants plain ones.
  const query = editor.state.doc
    .toString()
    .replace(/\u00a0/g, ' ')
    .trim();
  if (query === '') return;
  let params: unknown;
  try {
    params = JSON.parse($<HTMLTextAreaElement>('params').value || '{}');
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw new Error('not an object');
  } catch (e) {
    showError(`Parameters must be a JSON object: ${(e as Error).message}`);
    return;
  }
  showError(null);
  $('status').textContent = 'Running…';
  remember(query);
  try {
    const res = (await api('POST', '/cypher', { query, params })) as {
      columns: string[];
      rows: unknown[][];
      execution_time_ms: number;
    };
    lastRows = res.rows;
    renderTable(res.columns, res.rows);
    $('status').textContent = `${res.rows.length} row(s) in ${res.execution_time_ms} ms`;
    showView(view);
    if (/\b(CREATE|MERGE|SET|REMOVE|DELETE)\b/i.test(query)) void loadSchema().catch(() => undefined);
  } catch (e) {
    $('status').textContent = '';
    lastRows = [];
    $('table-view').replaceChildren();
    $('graph-view').replaceChildren();
    showError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    if (e instanceof ApiError && e.status === 401) logout();
  }
}

async function login(key: string, persist: boolean): Promise<void> {
  apiKey = key;
  try {
    await loadSchema();
  } catch (e) {
    apiKey = null;
    throw e;
  }
  if (persist) sessionStorage.setItem(KEY_STORE, key);
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  renderHistory();
  editor.focus();
}

function logout(): void {
  apiKey = null;
  sessionStorage.removeItem(KEY_STORE);
  $('app').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
}

function start(): void {
  // The editor lives in a shadow root: CodeMirror then styles it with a constructed style
  // sheet (adoptedStyleSheets), which the CSP allows, instead of an inline <style> element.
  const shadow = $('editor').attachShadow({ mode: 'open' });
  editor = new EditorView({
    parent: shadow,
    root: shadow,
    state: EditorState.create({
      doc: 'MATCH (n) RETURN n LIMIT 25',
      extensions: [
        lineNumbers(),
        EditorView.theme({
          '&': { minHeight: '6em', backgroundColor: '#fff' },
          '.cm-scroller': { fontFamily: 'ui-monospace, monospace' },
        }),
        history(),
        keymap.of([{ key: 'Mod-Enter', run: () => (void run(), true) }, ...defaultKeymap, ...historyKeymap]),
        StreamLanguage.define(cypher),
        syntaxHighlighting(defaultHighlightStyle),
        autocompletion({ override: [complete] }),
      ],
    }),
  });
  $('run').addEventListener('click', () => void run());
  $('view-table').addEventListener('click', () => showView('table'));
  $('view-graph').addEventListener('click', () => showView('graph'));
  $('logout').addEventListener('click', logout);
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = $<HTMLInputElement>('api-key').value.trim();
    $('login-error').textContent = '';
    login(key, $<HTMLInputElement>('remember').checked).then(
      () => ($<HTMLInputElement>('api-key').value = ''),
      (e: unknown) =>
        ($('login-error').textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : String(e)),
    );
  });
  // Auth off (or a remembered key): the schema call succeeds without asking.
  login(apiKey ?? '', apiKey !== null).catch(() => logout());
}

start();
