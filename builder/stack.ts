/**
 * The build and run images every buildpack build uses (the CNB "stack"): run = Debian bookworm +
 * the host's own node and npm (so the docker and process runtimes run the same Node, and
 * `npm start` works at launch) + Debian's python3 + an `app` user + the host CA bundle;
 * build = run + build-only tooling: npx, python3-venv (venvs for devflow/python) and Debian's Go
 * toolchain (devflow/go; apps get a static binary, so the run image needs no Go).
 * `devflow stack build` calls buildStack. STACK_REVISION labels both images, so a DevFlow whose
 * stack needs more rebuilds images made by an older one instead of using them.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import type { LogSink } from '../core/types.js';
import { buildImageFromDir, imageExists } from './docker-images.js';
import { BASE_IMAGE, STACK_ID, ensureBaseImage } from './stack-base.js';
import { hostTrust } from './trust.js';

export const RUN_IMAGE = `devflow/stack-run:${STACK_ID}`;
export const BUILD_IMAGE = `devflow/stack-build:${STACK_ID}`;
/** Bump when the images' Dockerfiles change: older images are then rebuilt. */
export const STACK_REVISION = '2';
export const STACK_LABELS = { 'devflow.stack': STACK_ID, 'devflow.stack.revision': STACK_REVISION };
/** uid/gid of the non-root user apps run as, in images and in the build container's files. */
export const APP_UID = 1000;
const CA_PATH = '/etc/ssl/certs/ca-certificates.crt';

export interface StackImages {
  buildImage: string;
  runImage: string;
}

async function stackRevision(docker: Docker, image: string): Promise<string | null> {
  const info = await docker.getImage(image).inspect().catch(() => null);
  return info?.Config.Labels?.['devflow.stack.revision'] ?? null;
}

/** Both images exist and were made by this revision of the stack. */
export async function stackImagesPresent(docker: Docker): Promise<boolean> {
  const found = await Promise.all([stackRevision(docker, RUN_IMAGE), stackRevision(docker, BUILD_IMAGE)]);
  return found.every((revision) => revision === STACK_REVISION);
}

// Debian packages each image adds; apt lists and caches are removed in the same layer.
const RUN_PACKAGES = ['python3'];
const BUILD_PACKAGES = ['python3-venv', 'golang-go'];

function aptInstall(packages: string[]): string {
  return (
    'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ' +
    `${packages.join(' ')} >/dev/null && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc /usr/share/man`
  );
}

export function runImageDockerfile(): string {
  return [
    `FROM ${BASE_IMAGE}`,
    'COPY node /usr/local/bin/node',
    'COPY npm /usr/local/lib/node_modules/npm',
    'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm',
    `COPY ca-certificates.crt ${CA_PATH}`,
    aptInstall(RUN_PACKAGES),
    `RUN groupadd -g ${APP_UID} app && useradd -u ${APP_UID} -g app -m -d /home/app -s /bin/bash app`,
    `ENV NODE_EXTRA_CA_CERTS=${CA_PATH} SSL_CERT_FILE=${CA_PATH} LANG=C.UTF-8`,
    'RUN node -e "console.log(\'node \' + process.version)"',
    '',
  ].join('\n');
}

export function buildImageDockerfile(): string {
  return [
    `FROM ${RUN_IMAGE}`,
    'RUN ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && npm --version',
    aptInstall(BUILD_PACKAGES),
    'RUN go version && python3 -m venv --help >/dev/null',
    '',
  ].join('\n');
}

/** The npm that ships beside the host's node binary (`<prefix>/bin/node` → `<prefix>/lib/node_modules/npm`). */
function hostNpmDir(): string {
  return join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm');
}

async function buildRunImage(docker: Docker, log: LogSink): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), 'devflow-stack-run-'));
  try {
    const trust = await hostTrust();
    await cp(process.execPath, join(context, 'node'));
    await cp(hostNpmDir(), join(context, 'npm'), { recursive: true, verbatimSymlinks: true });
    await writeFile(join(context, 'ca-certificates.crt'), '');
    if (trust.caFile) await cp(trust.caFile, join(context, 'ca-certificates.crt'));
    await writeFile(join(context, 'Dockerfile'), runImageDockerfile());
    log.line(`-----> Building ${RUN_IMAGE}`);
    await buildImageFromDir(docker, { contextDir: context, tag: RUN_IMAGE, labels: STACK_LABELS, phase: 'stack', log });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

async function buildBuildImage(docker: Docker, log: LogSink): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), 'devflow-stack-build-'));
  try {
    await writeFile(join(context, 'Dockerfile'), buildImageDockerfile());
    log.line(`-----> Building ${BUILD_IMAGE}`);
    await buildImageFromDir(docker, { contextDir: context, tag: BUILD_IMAGE, labels: STACK_LABELS, phase: 'stack', log });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** Builds the stack images unless both exist already (or `force`). */
export async function buildStack(options: { docker: Docker; log: LogSink; force?: boolean }): Promise<StackImages> {
  const { docker, log, force = false } = options;
  const images = { buildImage: BUILD_IMAGE, runImage: RUN_IMAGE };
  if (!force && (await stackImagesPresent(docker))) {
    log.line(`-----> Stack images ${RUN_IMAGE} and ${BUILD_IMAGE} are present`);
    return images;
  }
  await ensureBaseImage(docker, log, force);
  await buildRunImage(docker, log);
  await buildBuildImage(docker, log);
  return images;
}
