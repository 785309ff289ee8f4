/**
 * Backups in an S3-compatible bucket (DEVFLOW_BACKUPS_URL, core/s3-url.ts), through the S3 REST
 * API with @aws-sdk/client-s3. A backup streams from pg_dump into a multipart upload
 * (@aws-sdk/lib-storage: a couple of 8 MiB parts in memory at a time, never the whole dump); a
 * failed one is aborted and leaves no object. Keys: `<prefix><app>/<name>.dump`. A restore
 * first downloads the object to a private scratch file, taking its SHA-256 on the way, so the
 * bytes checked are the bytes pg_restore reads.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Location } from '../../core/s3-url.js';
import { hashing } from './dump.js';
import { scratchFile, type BackupPlace, type LocalCopy } from './files.js';

const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

export class S3Backups implements BackupPlace {
  private readonly client: S3Client;

  constructor(private readonly location: S3Location) {
    this.client = new S3Client({
      endpoint: location.endpoint, region: location.region, forcePathStyle: true,
      credentials: { accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey },
    });
  }

  holds(location: string): boolean {
    return location.startsWith(`s3://${this.location.bucket}/`);
  }

  locate(app: string, name: string): string {
    return `s3://${this.location.bucket}/${this.appPrefix(app)}${name}.dump`;
  }

  async write(location: string, body: Readable): Promise<void> {
    const Key = this.key(location);
    const upload = new Upload({ client: this.client, params: { Bucket: this.location.bucket, Key, Body: body }, partSize: PART_SIZE, queueSize: PARTS_IN_FLIGHT });
    try {
      await upload.done();
    } catch (err) {
      await upload.abort().catch(() => {});
      await this.remove(location).catch(() => {});
      throw err;
    }
  }

  async read(location: string): Promise<Readable> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(location) }));
    return Body as Readable;
  }

  async local(location: string, scratch: string): Promise<LocalCopy> {
    const file = await scratchFile(scratch);
    const release = () => fs.rm(file, { force: true });
    try {
      const hash = hashing();
      await pipeline(await this.read(location), hash.stream, createWriteStream(file, { mode: 0o600 }));
      return { file, sha256: hash.result().sha256, release };
    } catch (err) {
      await release();
      throw err;
    }
  }

  async remove(location: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.key(location) }));
  }

  async removeApp(app: string): Promise<void> {
    const Bucket = this.location.bucket;
    let ContinuationToken: string | undefined;
    do {
      const listed = await this.client.send(new ListObjectsV2Command({ Bucket, Prefix: this.appPrefix(app), ContinuationToken }));
      const Objects = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (Objects.length > 0) await this.client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      ContinuationToken = listed.IsTruncated ? listed.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  private appPrefix(app: string): string {
    if (!/^[a-z0-9-]{1,63}$/.test(app)) throw new Error(`backups: unexpected app name ${JSON.stringify(app)}`);
    return `${this.location.prefix}${app}/`;
  }

  private key(location: string): string {
    if (!this.holds(location)) throw new Error(`backups: ${location} is not in bucket ${this.location.bucket}`);
    return location.slice(`s3://${this.location.bucket}/`.length);
  }
}
