/**
 * Object bytes in an S3-compatible bucket (the S3 REST API through @aws-sdk/client-s3; uploads
 * of unknown length as multipart uploads through @aws-sdk/lib-storage, a few parts in memory at
 * a time). Same contract as disk.ts: a body is staged under `<prefix><project>/staging/<id>` and
 * held to its limit (an aborted or oversized upload aborts its multipart upload, leaving no
 * object), then copied to `<prefix><project>/objects/<version>` on commit.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { limitAndHash, type ObjectBytes, type StagedBytes } from './disk.js';
import type { S3Location } from './s3-url.js';

const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

export function s3ObjectBytes(location: S3Location): ObjectBytes {
  const client = new S3Client({
    endpoint: location.endpoint, region: location.region, forcePathStyle: true,
    credentials: { accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey },
  });
  const Bucket = location.bucket;
  const projectKey = (project: string) => {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(project)) throw new Error(`storage: unexpected project name ${JSON.stringify(project)}`);
    return `${location.prefix}${project}`;
  };
  const versionKey = (project: string, version: string) => {
    if (!/^[0-9a-f-]{36}$/.test(version)) throw new Error(`storage: unexpected version ${JSON.stringify(version)}`);
    return `${projectKey(project)}/objects/${version}`;
  };

  async function put(project: string, body: Readable, limit: number): Promise<StagedBytes> {
    const path = `${projectKey(project)}/staging/${randomUUID()}`;
    const hash = createHash('md5');
    const counted = { size: 0 };
    const limited = body.pipe(limitAndHash(limit, hash, counted));
    body.once('error', (err) => limited.destroy(err));
    const upload = new Upload({ client, params: { Bucket, Key: path, Body: limited }, partSize: PART_SIZE, queueSize: PARTS_IN_FLIGHT });
    try {
      await upload.done();
    } catch (err) {
      await upload.abort().catch(() => {});
      await client.send(new DeleteObjectCommand({ Bucket, Key: path })).catch(() => {});
      throw err;
    }
    return { path, size: counted.size, md5: hash.digest('hex') };
  }

  return {
    stage: (project, body, limit) => put(project, body, limit),
    stageFile: (project, path) => put(project, createReadStream(path), Infinity),
    async commit(project, staged, version) {
      await client.send(new CopyObjectCommand({ Bucket, CopySource: `${Bucket}/${staged.path}`, Key: versionKey(project, version) }));
      await client.send(new DeleteObjectCommand({ Bucket, Key: staged.path }));
    },
    async discard(staged) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: staged.path }));
    },
    async duplicate(project, fromVersion, toVersion) {
      await client.send(new CopyObjectCommand({ Bucket, CopySource: `${Bucket}/${versionKey(project, fromVersion)}`, Key: versionKey(project, toVersion) }));
    },
    async open(project, version) {
      const Key = versionKey(project, version);
      let size: number;
      try {
        size = Number((await client.send(new HeadObjectCommand({ Bucket, Key }))).ContentLength ?? 0);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      return {
        size,
        async read(range) {
          const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
          const { Body } = await client.send(new GetObjectCommand({ Bucket, Key, Range }));
          return Body as Readable;
        },
        close: async () => {},
      };
    },
    async remove(project, versions) {
      for (let i = 0; i < versions.length; i += 1000) {
        const Objects = versions.slice(i, i + 1000).map((v) => ({ Key: versionKey(project, v) }));
        if (Objects.length) await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      }
    },
  };
}
