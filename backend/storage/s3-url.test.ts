import { describe, expect, it } from 'vitest';
import { parseS3Url } from './s3-url.js';

describe('parseS3Url', () => {
  it.each([
    ['http://key:secret@127.0.0.1:4569/devflow', { endpoint: 'http://127.0.0.1:4569', region: 'us-east-1', bucket: 'devflow', prefix: '', accessKeyId: 'key', secretAccessKey: 'secret' }],
    ['https://AK%2B1:s%2Fk@s3.example.com/b/apps/x?region=eu-west-1', { endpoint: 'https://s3.example.com', region: 'eu-west-1', bucket: 'b', prefix: 'apps/x/', accessKeyId: 'AK+1', secretAccessKey: 's/k' }],
  ])('%s', (text, location) => {
    expect(parseS3Url(text)).toEqual(location);
  });

  it.each(['not a url', 'ftp://k:s@host/b', 'http://host/b', 'http://k:s@host/'])('refuses %s', (text) => {
    expect(() => parseS3Url(text)).toThrow(/DEVFLOW_STORAGE_S3_URL/);
  });
});
