import { describe, expect, it } from 'vitest';
import { advertisementPreamble, parseBasicAuth, parseGitProtocol, parseGitRoute, pktLine } from './routes.js';

describe('parseGitRoute', () => {
  const cases: [string, string, unknown][] = [
    ['GET', '/hello.git/info/refs?service=git-upload-pack', { kind: 'advertise', app: 'hello', service: 'upload-pack' }],
    ['GET', '/hello.git/info/refs?service=git-receive-pack', { kind: 'advertise', app: 'hello', service: 'receive-pack' }],
    ['POST', '/hello.git/git-upload-pack', { kind: 'rpc', app: 'hello', service: 'upload-pack' }],
    ['POST', '/my-app.git/git-receive-pack', { kind: 'rpc', app: 'my-app', service: 'receive-pack' }],
    ['GET', '/hello.git/info/refs', { kind: 'invalid', status: 404 }],
    ['GET', '/hello.git/info/refs?service=git-upload-archive', { kind: 'invalid', status: 404 }],
    ['GET', '/hello.git/HEAD', { kind: 'invalid', status: 404 }],
    ['GET', '/hello.git/objects/info/packs', { kind: 'invalid', status: 404 }],
    ['GET', '/hello.git', { kind: 'invalid', status: 404 }],
    ['GET', '/hello.git/git-receive-pack', { kind: 'invalid', status: 405 }],
    ['POST', '/hello.git/info/refs?service=git-receive-pack', { kind: 'invalid', status: 405 }],
    ['POST', '/Hello.git/git-receive-pack', { kind: 'invalid', status: 400 }],
    ['POST', '/api.git/git-receive-pack', { kind: 'invalid', status: 400 }],
    ['POST', '/%2e%2e.git/git-receive-pack', { kind: 'invalid', status: 400 }],
  ];
  it.each(cases)('%s %s', (method, url, expected) => {
    expect(parseGitRoute(method, url)).toMatchObject(expected as object);
  });

  it.each(['/', '/api/v1/apps', '/hello', '/a/b.git/info/refs', '/hello.gitx/info/refs'])('%s is not a git URL', (url) => {
    expect(parseGitRoute('GET', url)).toBeNull();
  });

  it('explains an invalid name', () => {
    expect(parseGitRoute('GET', '/Bad.git/info/refs?service=git-upload-pack')).toMatchObject({
      message: expect.stringContaining('app name "Bad" is invalid'),
    });
  });
});

describe('parseBasicAuth', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  it.each([
    [`Basic ${b64('devflow:tok')}`, { username: 'devflow', password: 'tok' }],
    [`basic ${b64('u:pa:ss')}`, { username: 'u', password: 'pa:ss' }],
    [`Basic ${b64(':tok')}`, { username: '', password: 'tok' }],
    [`Basic ${b64('nocolon')}`, null],
    ['Bearer abc', null],
    ['', null],
    [undefined, null],
  ])('%s', (header, expected) => {
    expect(parseBasicAuth(header)).toEqual(expected);
  });
});

describe('pkt-lines', () => {
  it('prefixes the length including itself', () => {
    expect(pktLine('# service=git-upload-pack\n')).toBe('001e# service=git-upload-pack\n');
  });
  it('omits the service preamble for protocol v2 upload-pack only', () => {
    expect(advertisementPreamble('upload-pack', true)).toBe('');
    expect(advertisementPreamble('receive-pack', true)).toBe('001f# service=git-receive-pack\n0000');
    expect(advertisementPreamble('upload-pack', false)).toBe('001e# service=git-upload-pack\n0000');
  });
  it.each([
    ['version=2', 'version=2'],
    [['version=1'], 'version=1'],
    ['version=2; rm -rf /', null],
    [undefined, null],
  ])('Git-Protocol %j', (header, expected) => {
    expect(parseGitProtocol(header as string | string[] | undefined)).toBe(expected);
  });
});
