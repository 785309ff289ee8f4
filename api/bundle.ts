/**
 * Bundles the dashboard's front end (api/web/, plain TypeScript DOM modules, no framework)
 * with esbuild into one ES module, `app.js`, beside `index.html`. The production build writes
 * it to dist/api/web (`node --import tsx scripts/build-dashboard.ts`); running from source,
 * static.ts bundles in memory at the first request.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

const WEB_SOURCE = path.join(import.meta.dirname, 'web');

export interface DashboardBundle {
  html: string;
  js: string;
}

export async function buildDashboardBundle(): Promise<DashboardBundle> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(WEB_SOURCE, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]!.text;
  const html = await fs.readFile(path.join(WEB_SOURCE, 'index.html'), 'utf8');
  return { html, js };
}

export async function writeDashboardBundle(outDir: string): Promise<{ bytes: number }> {
  const bundle = await buildDashboardBundle();
  await fs.mkdir(outDir, { recursive: true });
  await fs.writeFile(path.join(outDir, 'app.js'), bundle.js);
  await fs.writeFile(path.join(outDir, 'index.html'), bundle.html);
  return { bytes: Buffer.byteLength(bundle.js) + Buffer.byteLength(bundle.html) };
}
