/**
 * Deploying a function: the uploaded folder is written under the project's functions folder as
 * a new version (`<root>/<project>/<name>/v<N>/source`), built into `v<N>/dist/index.mjs`
 * (bundle.ts), and only then marked live, so a failed build leaves the live version serving.
 * Earlier versions stay on disk (a rollback is a redeploy of their source).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, InvalidInputError } from '../../core/errors.js';
import type { Sql } from '../../core/store/database.js';
import { bundleFunction, ENTRY_FILES } from './bundle.js';
import { parseFunctionName, parseUploadPath } from './names.js';
import { latestVersion, markDeployed, type DeployedFunction } from './store.js';

export interface UploadedFile {
  path: string;
  content: Buffer;
}

export interface FunctionUpload {
  files: UploadedFile[];
  /** Whether the gateway verifies the caller's JWT (Supabase's `verify_jwt`, default true). */
  verifyJwt: boolean;
  /**
   * The folder of the upload that holds the entry (`hello` when the files are Supabase's
   * functions folder: `hello/index.ts` beside `_shared/cors.ts`); default the top.
   */
  root?: string;
}

/** The largest upload accepted: the function's folder with its node_modules. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export function versionDir(root: string, project: string, name: string, version: number): string {
  return path.join(root, project, name, `v${version}`);
}

export function bundlePath(root: string, project: string, name: string, version: number): string {
  return path.join(versionDir(root, project, name, version), 'dist', 'index.mjs');
}

function checkUpload(upload: FunctionUpload): { files: UploadedFile[]; entry: string } {
  const prefix = upload.root ? `${parseUploadPath(upload.root)}/` : '';
  const files = upload.files.map((f) => ({ path: parseUploadPath(f.path), content: f.content }));
  const bytes = files.reduce((sum, f) => sum + f.content.length, 0);
  if (bytes > MAX_UPLOAD_BYTES) throw new InvalidInputError(`the function's files are ${bytes} bytes; at most ${MAX_UPLOAD_BYTES} are accepted`);
  const names = new Set(files.map((f) => f.path));
  const entry = ENTRY_FILES.map((candidate) => `${prefix}${candidate}`).find((candidate) => names.has(candidate));
  if (!entry) throw new InvalidInputError(`the function has no entry file: add one of ${ENTRY_FILES.join(', ')} at its top${prefix ? ` (${prefix})` : ''}`);
  return { files, entry };
}

/** What a deploy is made of: the files (by path), the entry folder and verify_jwt. */
export function uploadDigest(files: UploadedFile[], entry: string, verifyJwt: boolean): string {
  const hash = createHash('sha256').update(`${entry}\0${verifyJwt}\0`);
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(`${file.path}\0${file.content.length}\0`).update(file.content);
  }
  return hash.digest('hex');
}

/**
 * Deploys `upload` as the function's next version, unless it is what the live version was made
 * from: then the live version stays (`changed: false`), as a release that did not touch it.
 */
export async function deployFunction(
  deps: { sql: Sql; root: string },
  app: { id: number; name: string },
  rawName: string,
  upload: FunctionUpload,
): Promise<DeployedFunction & { changed: boolean }> {
  const name = parseFunctionName(rawName);
  const { files, entry } = checkUpload(upload);
  const digest = uploadDigest(files, entry, upload.verifyJwt);
  const live = await latestVersion(deps.sql, app.id, name);
  if (live.digest === digest) return { appId: app.id, name, version: live.version, verifyJwt: upload.verifyJwt, changed: false };
  const version = live.version + 1;
  const dir = versionDir(deps.root, app.name, name, version);
  const staging = `${dir}.staging-${process.pid}-${Date.now()}`;
  try {
    for (const file of files) {
      const target = path.join(staging, 'source', file.path);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.content);
    }
    await bundleFunction(path.join(staging, 'source'), entry, path.join(staging, 'dist', 'index.mjs'));
    await fs.rename(staging, dir).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOTEMPTY' || err.code === 'EEXIST'
        ? new ConflictError(`another deploy of ${name} made v${version} first: deploy again`)
        : err;
    });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  const deployed: DeployedFunction = { appId: app.id, name, version, verifyJwt: upload.verifyJwt };
  await markDeployed(deps.sql, deployed, digest);
  return { ...deployed, changed: true };
}
