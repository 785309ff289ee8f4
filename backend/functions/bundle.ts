/**
 * Building a function at deploy: esbuild (esbuild.github.io/api) bundles the entry and its
 * relative imports and packages into one ES module for Node, transpiling TypeScript without type
 * checking, as Supabase's deploy does with Deno. Deno's `npm:` specifiers are read as the bare
 * package name (`npm:zod@3` → `zod`), resolved from the function folder's node_modules; `jsr:`
 * and URL imports are refused with what to do instead, since nothing is downloaded at deploy.
 */
import path from 'node:path';
import type { Plugin } from 'esbuild';
import { InvalidInputError } from '../../core/errors.js';

/** The entry files looked for, in order, as Supabase looks for index.ts. */
export const ENTRY_FILES = ['index.ts', 'index.js', 'index.mts', 'index.mjs', 'index.tsx', 'index.jsx'];

/** `npm:@scope/pkg@^1/sub` → `@scope/pkg/sub`; undefined for any other specifier. */
export function npmSpecifier(specifier: string): string | undefined {
  if (!specifier.startsWith('npm:')) return undefined;
  const rest = specifier.slice(4).replace(/^\//, '');
  const match = /^((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(rest);
  if (!match) return undefined;
  return `${match[1]}${match[2] ?? ''}`;
}

const denoSpecifiers: Plugin = {
  name: 'deno-specifiers',
  setup(build) {
    build.onResolve({ filter: /^npm:/ }, async (args) => {
      const bare = npmSpecifier(args.path);
      if (!bare) return { errors: [{ text: `cannot read the specifier "${args.path}"` }] };
      const resolved = await build.resolve(bare, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer });
      if (resolved.errors.length > 0) {
        return { errors: [{ text: `"${args.path}": install ${bare.split('/').slice(0, bare.startsWith('@') ? 2 : 1).join('/')} with npm in the function's folder (node_modules is deployed with it)` }] };
      }
      return { path: resolved.path, external: resolved.external, sideEffects: resolved.sideEffects };
    });
    build.onResolve({ filter: /^(jsr:|https?:)/ }, (args) => ({
      errors: [{ text: `"${args.path}": DevFlow does not download jsr: or URL imports; install the package with npm in the function's folder and import it by name (or npm:name)` }],
    }));
  },
};

/**
 * CommonJS packages bundled into an ES module still call require() for Node's built-ins; the
 * banner gives them one.
 */
const REQUIRE_BANNER = "import { createRequire as __devflowCreateRequire } from 'node:module'; const require = __devflowCreateRequire(import.meta.url);";

export async function bundleFunction(sourceDir: string, entry: string, outFile: string): Promise<void> {
  const esbuild = await import('esbuild');
  try {
    await esbuild.build({
      entryPoints: [path.join(sourceDir, entry)], outfile: outFile, absWorkingDir: sourceDir,
      bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent',
      plugins: [denoSpecifiers], banner: { js: REQUIRE_BANNER }, nodePaths: [],
    });
  } catch (err) {
    const errors = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const first = errors.slice(0, 3).map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text));
    throw new InvalidInputError(`the function failed to build: ${first.join('; ') || String(err)}`, { cause: err });
  }
}
