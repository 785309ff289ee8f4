/**
 * Debian's pebble (Let's Encrypt's test ACME server, RFC 8555) for the certificate tests
 * (MACHINE.md, "ACME, TLS"). The package has no certificates, so a CA and a certificate for
 * 127.0.0.1/localhost are made with openssl. pebble resolves names through pebble-challtestsrv,
 * whose DNS answers 127.0.0.1 for every name, and validates HTTP-01 on `httpPort`: DevFlow's
 * HTTP port. PEBBLE_VA_NOSLEEP makes validation immediate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { freePort } from '../../core/embedded-postgres/embedded.js';

export interface Pebble {
  directoryUrl: string;
  /** The CA of pebble's own HTTPS API (not of the certificates it issues). */
  caFile: string;
  caPem: string;
  /** The root that pebble's issued certificates chain to (it makes a new one at each start). */
  issuingRoot(): Promise<string>;
  /** Makes challtestsrv's DNS answer `address` for `host`. */
  setAddress(host: string, address: string): Promise<void>;
  stop(): Promise<void>;
}

async function makeTlsFiles(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const caFile = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca-key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const csr = path.join(dir, 'cert.csr');
  const ext = path.join(dir, 'ext.cnf');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await execa('openssl', ['req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', '/CN=pebble test CA']);
  await execa('openssl', ['req', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=localhost']);
  await fs.writeFile(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await execa('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext]);
  return { caFile, certFile, keyFile };
}

function getText(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string, logs: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start:\n${logs()}`);
}

export interface PebbleSetup {
  directoryUrl: string;
  caFile: string;
  caPem: string;
  /** Starts pebble, validating HTTP-01 on `httpPort` (known only once DevFlow runs). */
  start(httpPort: number): Promise<Pebble>;
}

/** Makes pebble's CA and picks its port first, so DevFlow can be told both before it starts. */
export async function preparePebble(): Promise<PebbleSetup> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-pebble-'));
  const files = await makeTlsFiles(dir);
  const caPem = await fs.readFile(files.caFile, 'utf8');
  const listenPort = await freePort();
  return {
    directoryUrl: `https://127.0.0.1:${listenPort}/dir`,
    caFile: files.caFile,
    caPem,
    start: (httpPort) => runPebble({ dir, ...files, caPem, listenPort, httpPort }),
  };
}

export async function startPebble(options: { httpPort: number }): Promise<Pebble> {
  return (await preparePebble()).start(options.httpPort);
}

interface RunOptions {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
  listenPort: number;
  httpPort: number;
}

async function runPebble(options: RunOptions): Promise<Pebble> {
  const { dir, caFile, certFile, keyFile, caPem, listenPort } = options;
  const [managementPort, tlsPort, dnsPort, challMgmtPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${listenPort}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: certFile,
      privateKey: keyFile,
      httpPort: options.httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  };
  await fs.writeFile(path.join(dir, 'pebble.json'), JSON.stringify(config));
  let logs = '';
  const collect = (child: ChildProcess) => {
    child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  };
  const dns = spawn('pebble-challtestsrv', [
    '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '',
    '-management', `127.0.0.1:${challMgmtPort}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '',
  ]);
  collect(dns);
  const pebble = spawn('pebble', ['-config', path.join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], {
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
  });
  collect(pebble);
  const directoryUrl = `https://127.0.0.1:${listenPort}/dir`;
  const challMgmt = `http://127.0.0.1:${challMgmtPort}`;
  await waitUntil(async () => (await getText(directoryUrl, caPem)).status === 200, 'pebble', () => logs);
  await waitUntil(async () => (await fetch(`${challMgmt}/`)).status > 0, 'pebble-challtestsrv', () => logs);
  const stopChild = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    directoryUrl,
    caFile,
    caPem,
    issuingRoot: async () => (await getText(`https://127.0.0.1:${managementPort}/roots/0`, caPem)).body,
    async setAddress(host, address) {
      const res = await fetch(`${challMgmt}/add-a`, { method: 'POST', body: JSON.stringify({ host, addresses: [address] }) });
      if (!res.ok) throw new Error(`challtestsrv add-a: HTTP ${res.status}`);
    },
    async stop() {
      await Promise.all([stopChild(pebble), stopChild(dns)]);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
