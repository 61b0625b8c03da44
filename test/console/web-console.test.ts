/**
 * The web console in a real headless Chromium (playwright-core driving the system's
 * `chromium`) against a real server process: static files and their CSP, API-key login,
 * a query shown as a table and as a graph, completion, history, and a syntax error.
 * Screenshots go to .tmp/console-*.png. Skipped only outside CI when Chromium is absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const CHROMIUM = process.env.NEXUS_CHROMIUM ?? '/usr/bin/chromium';
const ROOT_KEY = 'root-key-for-console-tests-0123456789';
const SHOTS = join(REPO_ROOT, '.tmp');
const haveBrowser = existsSync(CHROMIUM);

let server: ServerProcess;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];

async function cypher(query: string): Promise<unknown> {
  const res = await fetch(`${server.url}/cypher`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ROOT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

/** Replaces the editor's text by typing, as a user would. */
async function typeQuery(q: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(q, { delay: 5 }); // paced like a person: CodeMirror reads each key's DOM change
  await page.keyboard.press('Escape'); // close a completion popup, if any
}

describe.skipIf(!haveBrowser && process.env.CI !== 'true')('web console (headless Chromium)', () => {
  beforeAll(async () => {
    // The console bundle is built by `npm run build`; rebuild it here so the test is self-contained.
    execFileSync(process.execPath, [join(REPO_ROOT, 'tools', 'build-console.mjs')], { stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    server = await startServerProcess({
      env: { NEXUS_AUTH_ENABLED: 'true', NEXUS_ROOT_API_KEY: ROOT_KEY },
    });
    await cypher(
      "CREATE (a:Person {name: 'Alice', age: 34})-[:KNOWS {since: 2020}]->(b:Person {name: 'Bob'})," +
        " (a)-[:WORKS_AT]->(:Company {name: 'Acme'})",
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    // The page's own report of each CSP violation (directive, source line, sample).
    // (Browser code as text: this file is type-checked for Node, without DOM types.)
    await page.addInitScript(`
      window.cspReports = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.cspReports.push(e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber + ':' +
          e.columnNumber + ' ' + e.sample));
    `);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the page publicly with a strict CSP, and JSON discovery to other clients', async () => {
    const html = await fetch(`${server.url}/console`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    const csp = html.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const body = await html.text();
    expect(body).not.toMatch(/<script>|<script [^>]*>[^<]|https?:\/\//); // no inline code, no CDN
    const js = await fetch(`${server.url}/console/console.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${server.url}/console/../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/console/nope.js`)).status).toBe(404);
    const root = await fetch(`${server.url}/`, { headers: { accept: 'application/json' } });
    expect(root.status).toBe(200);
    expect(await root.json()).toMatchObject({ console: '/console' });
    const rootHtml = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(await rootHtml.text()).toBe(body);
    // The data behind the page still needs the key.
    expect((await fetch(`${server.url}/schema/labels`)).status).toBe(401);
  });

  it('refuses a wrong key, then logs in with a valid one (never putting it in the URL)', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#login:not([hidden])');
    await page.fill('#api-key', 'nx_not-a-valid-key-0000000000000000000');
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.textContent('#login-error')).toMatch(/INVALID_TOKEN|AUTHENTICATION/);
    await page.fill('#api-key', ROOT_KEY);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    expect(await page.isVisible('#login')).toBe(false);
    expect(page.url()).not.toContain(ROOT_KEY);
    expect(await page.evaluate("sessionStorage.getItem('nexus.console.key')")).toBeNull();
    // Schema sidebar from the server.
    expect(await page.locator('#schema-labels li').allTextContents()).toEqual(['Company', 'Person']);
    expect(await page.locator('#schema-types li').allTextContents()).toEqual(['KNOWS', 'WORKS_AT']);
    expect(await page.locator('#schema-keys li').allTextContents()).toContain('since');
  });

  it('highlights Cypher and completes labels from the schema', async () => {
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('MATCH (p:Pe', { delay: 5 });
    await page.waitForSelector('.cm-tooltip-autocomplete li[aria-selected=true]');
    const options = await page.locator('.cm-tooltip-autocomplete li').allTextContents();
    expect(options.join(' ')).toContain('Person');
    await page.click('.cm-tooltip-autocomplete li:has-text("Person")'); // accept the completion
    await expect.poll(() => page.locator('.cm-content').textContent()).toMatch(/^MATCH\s\(p:Person$/);
    // The legacy Cypher mode tags tokens; the highlight style turns them into styled spans.
    expect(await page.locator('.cm-content .cm-line span').count()).toBeGreaterThan(0);
  });

  it('runs a query and shows the table, then the graph with nodes drawn', async () => {
    await typeQuery('MATCH (a:Person {name: $name})-[r]->(b) RETURN a, r, b ORDER BY b.name');
    await page.click('#params-box summary');
    await page.fill('#params', '{"name": "Alice"}');
    await page.click('#run');
    await page.waitForSelector('#table-view table');
    expect(await page.locator('#table-view th').allTextContents()).toEqual(['a', 'r', 'b']);
    expect(await page.locator('#table-view tbody tr').count()).toBe(2);
    expect(await page.textContent('#table-view tbody')).toContain('Bob');
    expect(await page.textContent('#status')).toMatch(/2 row\(s\)/);
    await page.screenshot({ path: join(SHOTS, 'console-table.png') });

    await page.click('#view-graph');
    await page.waitForSelector('#graph-view svg');
    expect(await page.locator('#graph-view svg g.node circle').count()).toBe(3);
    expect(await page.locator('#graph-view svg g.edge line').count()).toBe(2);
    expect(await page.locator('#graph-view svg g.edge text').allTextContents()).toEqual(
      expect.arrayContaining(['KNOWS', 'WORKS_AT']),
    );
    await page.screenshot({ path: join(SHOTS, 'console-graph.png') });
    // The history keeps the query (sessionStorage), newest first.
    expect(await page.locator('#history li').first().textContent()).toContain(
      'MATCH (a:Person {name: $name})',
    );
  });

  it('shows a syntax error', async () => {
    await page.click('#view-table');
    await typeQuery('MATCH (n RETURN n');
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])');
    const error = (await page.textContent('#error')) ?? '';
    expect(error).toMatch(/^CYPHER_SYNTAX_ERROR: .*line 1, column \d+/);
    expect(error).toMatch(/\n\s*\^/); // the caret under the offending token
    expect(await page.locator('#table-view table').count()).toBe(0); // no stale result
    await page.screenshot({ path: join(SHOTS, 'console-error.png') });
    // No script or style of the page was refused. Chromium's own contenteditable editing may
    // try a `style` attribute while keys are typed into the editor (no source file): the CSP
    // refuses it and CodeMirror redraws, so those reports are the policy working, not a fault.
    const reports = await page.evaluate<string[]>('window.cspReports');
    expect(reports.filter((r) => !r.startsWith('style-src-attr :0:0'))).toEqual([]);
    expect(cspViolations.filter((m) => !/inline style/.test(m))).toEqual([]);
  });
});
