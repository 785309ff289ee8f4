/**
 * The worker's entry as one plain ES module file (worker-main.ts bundled by esbuild), written
 * once per DevFlow start under the functions folder. The child runs this file, which needs
 * only Node's built-ins: it can be the one DevFlow file a worker may read (the permission
 * model in worker-process.ts), and runs alike from source (tests) and from dist/.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const SOURCE = path.join(import.meta.dirname, `worker-main${path.extname(import.meta.filename)}`);

/** Writes `<runtimeDir>/worker-<hash>.mjs` when missing and returns its path. */
export async function workerScript(runtimeDir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    entryPoints: [SOURCE], bundle: true, write: false, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent',
  });
  const code = built.outputFiles[0]!.text;
  const file = path.join(runtimeDir, `worker-${createHash('sha256').update(code).digest('hex').slice(0, 12)}.mjs`);
  await fs.mkdir(runtimeDir, { recursive: true });
  const exists = await fs.stat(file).then(() => true, () => false);
  if (!exists) {
    await fs.writeFile(`${file}.tmp`, code);
    await fs.rename(`${file}.tmp`, file);
  }
  return file;
}
