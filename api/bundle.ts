/**
 * Bundles the dashboard's front end (api/web/, plain TypeScript DOM modules, no framework)
 * with esbuild into one ES module, `app.js`, beside `index.html`. The production build writes
 * it to dist/api/web (`node --import tsx scripts/build-dashboard.ts`); running from source,
 * static.ts bundles in memory at the first request.
 *
 * The charts' library, uPlot, is bundled in like the dashboard's own modules; its stylesheet goes
 * into the page's <style> (the Content-Security-Policy allows inline styles, and no other origin),
 * and its MIT notice heads the script (minifying drops the notice in its source).
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const WEB_SOURCE = path.join(import.meta.dirname, 'web');
const require = createRequire(import.meta.url);

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
    banner: { js: await chartLibraryNotice() },
  });
  const js = result.outputFiles[0]!.text;
  const page = await fs.readFile(path.join(WEB_SOURCE, 'index.html'), 'utf8');
  const chartStyles = await fs.readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { html: page.replace('</head>', `<style>${chartStyles}</style>\n</head>`), js };
}

async function chartLibraryNotice(): Promise<string> {
  const manifest = JSON.parse(await fs.readFile(require.resolve('uplot/package.json'), 'utf8')) as { version: string };
  return `/*! uPlot ${manifest.version} (https://github.com/leeoniya/uPlot), Copyright (c) Leon Sorokin, MIT License */`;
}

export async function writeDashboardBundle(outDir: string): Promise<{ bytes: number }> {
  const bundle = await buildDashboardBundle();
  await fs.mkdir(outDir, { recursive: true });
  await fs.writeFile(path.join(outDir, 'app.js'), bundle.js);
  await fs.writeFile(path.join(outDir, 'index.html'), bundle.html);
  return { bytes: Buffer.byteLength(bundle.js) + Buffer.byteLength(bundle.html) };
}
