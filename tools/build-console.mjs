/**
 * Builds the web console (console/ → dist/console/): bundles console/main.ts with esbuild
 * into one ES module and copies the HTML and CSS. Run by `npm run build` (so by `prepare`
 * at install time); the server serves the output as static files.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'console');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'console', 'main.ts')],
  outfile: join(out, 'console.js'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const f of ['index.html', 'console.css']) copyFileSync(join(root, 'console', f), join(out, f));
