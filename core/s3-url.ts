/**
 * An S3-compatible bucket as one URL, for the settings that name one (DEVFLOW_STORAGE_S3_URL:
 * Storage's object bytes; DEVFLOW_BACKUPS_URL: pg:backups):
 * `http(s)://<access key>:<secret key>@<host>[:port]/<bucket>[/<key prefix>][?region=<region>]`.
 * Path-style addressing, so any S3-compatible server (MinIO, Ceph, R2, AWS) answers it.
 */
import { InvalidInputError } from './errors.js';

export interface S3Location {
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** `setting` names the variable in messages. */
export function parseS3Url(text: string, setting = 'DEVFLOW_STORAGE_S3_URL'): S3Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError(`${setting} is not a URL: use http(s)://KEY:SECRET@host[:port]/bucket[/prefix][?region=R]`);
  }
  const [bucket, ...prefix] = url.pathname.split('/').filter(Boolean);
  if (!/^https?:$/.test(url.protocol) || !bucket || !url.username || !url.password) {
    throw new InvalidInputError(`${setting} needs http(s), an access key and secret, and a bucket: http(s)://KEY:SECRET@host[:port]/bucket[/prefix]`);
  }
  return {
    endpoint: `${url.protocol}//${url.host}`,
    region: url.searchParams.get('region') ?? 'us-east-1',
    bucket,
    prefix: prefix.length ? `${prefix.join('/')}/` : '',
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
  };
}

