import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildRoutingTable } from './table.js';
import { buildTraefikConfig, type TraefikDynamicConfig } from './traefik.js';
import { TraefikFiles, certificateFileBase } from './traefik-files.js';

const table = buildRoutingTable({
  domain: 'example.com',
  apps: [
    { name: 'shop', upstreams: [{ host: '127.0.0.1', port: 5000 }], customDomains: ['shop.io'], httpsRedirect: true },
    { name: 'blog', upstreams: [{ host: '127.0.0.1', port: 5001 }] },
  ],
});

describe('Traefik configuration with TLS', () => {
  const config = buildTraefikConfig(table, {
    tls: { certificates: [{ certFile: '/c/shop.crt', keyFile: '/c/shop.key' }], acmeChallengeUpstream: { host: '127.0.0.1', port: 8080 } },
  });

  it('adds an HTTPS router with tls: {} for every router, on websecure', () => {
    expect(config.http.routers['secure-app-shop']).toEqual({
      rule: 'Host(`shop.example.com`) || Host(`shop.io`)', service: 'app-shop', entryPoints: ['websecure'], tls: {},
    });
    expect(config.http.routers['secure-app-blog']).toMatchObject({ service: 'app-blog', tls: {} });
  });

  it('redirects only the apps that ask, with a redirectScheme middleware', () => {
    expect(config.http.routers['app-shop']?.middlewares).toEqual(['devflow-redirect-https']);
    expect(config.http.routers['app-blog']?.middlewares).toBeUndefined();
    expect(config.http.routers['secure-app-shop']?.middlewares).toBeUndefined();
    expect(config.http.middlewares).toEqual({ 'devflow-redirect-https': { redirectScheme: { scheme: 'https', permanent: true } } });
  });

  it('sends ACME challenges to DevFlow before any app router', () => {
    expect(config.http.routers['devflow-acme-challenge']).toEqual({
      rule: 'PathPrefix(`/.well-known/acme-challenge/`)', service: 'devflow-acme-challenge', entryPoints: ['web'], priority: 10_000,
    });
    expect(config.http.services['devflow-acme-challenge']).toEqual({ loadBalancer: { servers: [{ url: 'http://127.0.0.1:8080' }] } });
  });

  it('lists the certificate files under tls.certificates', () => {
    expect(config.tls).toEqual({ certificates: [{ certFile: '/c/shop.crt', keyFile: '/c/shop.key' }] });
  });

  it('leaves the configuration without TLS untouched', () => {
    const plain = buildTraefikConfig(table);
    expect(plain.tls).toBeUndefined();
    expect(Object.keys(plain.http.routers).sort()).toEqual(['app-blog', 'app-shop']);
  });
});

describe('TraefikFiles', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes certificate files (key 0600) and the YAML naming them; removes files of dropped certificates', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devflow-traefik-'));
    const files = new TraefikFiles(dir);
    await files.setTable(table);
    await files.setCertificates([
      { name: '*.example.com', certPem: 'CERT-A', keyPem: 'KEY-A' },
      { name: 'shop.io', certPem: 'CERT-B', keyPem: 'KEY-B' },
    ]);
    const base = certificateFileBase('*.example.com');
    expect(base).toMatch(/^wildcard\.example\.com-[0-9a-f]{8}$/);
    expect(await readFile(path.join(dir, 'certs', `${base}.crt`), 'utf8')).toBe('CERT-A');
    expect((await stat(path.join(dir, 'certs', `${base}.key`))).mode & 0o777).toBe(0o600);
    let yaml = parse(await readFile(path.join(dir, 'devflow.yml'), 'utf8')) as TraefikDynamicConfig;
    expect(yaml.tls?.certificates).toEqual([
      { certFile: path.join(dir, 'certs', `${base}.crt`), keyFile: path.join(dir, 'certs', `${base}.key`) },
      expect.objectContaining({ certFile: expect.stringContaining('shop.io-') }),
    ]);
    await files.setCertificates([{ name: 'shop.io', certPem: 'CERT-C', keyPem: 'KEY-C' }]);
    expect((await readdir(path.join(dir, 'certs'))).sort()).toEqual([`${certificateFileBase('shop.io')}.crt`, `${certificateFileBase('shop.io')}.key`]);
    yaml = parse(await readFile(path.join(dir, 'devflow.yml'), 'utf8')) as TraefikDynamicConfig;
    expect(yaml.tls?.certificates).toHaveLength(1);
    expect(yaml.http.routers['secure-app-shop']?.tls).toEqual({});
  });

  it('writes nothing until both the table and the certificates are known, so a restart never replaces routes with none', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devflow-traefik-'));
    await writeFile(path.join(dir, 'devflow.yml'), 'the previous run\'s file\n');
    const certsFirst = new TraefikFiles(dir);
    await certsFirst.setCertificates([{ name: 'shop.io', certPem: 'CERT', keyPem: 'KEY' }]);
    expect(await readFile(path.join(dir, 'devflow.yml'), 'utf8')).toBe('the previous run\'s file\n');
    await certsFirst.setTable(table);
    const yaml = parse(await readFile(path.join(dir, 'devflow.yml'), 'utf8')) as TraefikDynamicConfig;
    expect(Object.keys(yaml.http.routers)).toEqual(expect.arrayContaining(['app-shop', 'app-blog', 'secure-app-shop']));

    await writeFile(path.join(dir, 'devflow.yml'), 'the previous run\'s file\n');
    await new TraefikFiles(dir).setTable(table);
    expect(await readFile(path.join(dir, 'devflow.yml'), 'utf8')).toBe('the previous run\'s file\n');
  });
});
