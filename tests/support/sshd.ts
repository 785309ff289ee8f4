/**
 * A real OpenSSH server (Debian's openssh-server, installed by scripts/install-test-deps.sh) on
 * loopback and an ephemeral port, with a host key of its own, for tests that fetch git
 * repositories over ssh: the session runs git-upload-pack as the user running the tests, and
 * only the public keys put in `authorize` may log in (no passwords, no agent, no forwarding).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

const SSHD = '/usr/sbin/sshd';

export interface Sshd {
  port: number;
  /** Who logs in: the user running the tests. */
  user: string;
  /** The server's host public key, `ssh-ed25519 AAAA… comment`, as its .pub file holds it. */
  hostPublicKey: string;
  /** Lets a public key (one `ssh-ed25519 …` line) log in. */
  authorize(publicKey: string): Promise<void>;
  close(): Promise<void>;
}

export async function startSshd(): Promise<Sshd> {
  // Never skipped: the fetch over ssh must be shown for real.
  await access(SSHD).catch(() => { throw new Error(`${SSHD} is missing: run scripts/install-test-deps.sh (it installs openssh-server)`); });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'devflow-sshd-'));
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'devflow-test-host', '-f', hostKey]);
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, '', { mode: 0o600 });
  // sshd started by root checks for its privilege separation folder.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const user = os.userInfo().username;
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    await writeFile(config, [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`, 'AuthenticationMethods publickey', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', `AllowUsers ${user}`, 'PermitRootLogin prohibit-password',
      'AllowTcpForwarding no', 'X11Forwarding no', 'PermitTTY no', 'LogLevel ERROR', '',
    ].join('\n'));
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    if (await listening(port, child)) {
      return {
        port, user, hostPublicKey: (await readFile(`${hostKey}.pub`, 'utf8')).trim(),
        authorize: (publicKey) => appendFile(authorizedKeys, `restrict ${publicKey.trim()}\n`),
        async close() {
          if (child.exitCode === null) {
            const exited = new Promise((resolve) => child.once('exit', resolve));
            child.kill('SIGTERM');
            await exited;
          }
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGTERM');
    // Another process may have taken the port between freePort and sshd's bind: try another.
    if (attempt >= 2) throw new Error(`sshd did not start: ${stderr}`);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** True once sshd accepts connections on the port, false if it exited first. */
async function listening(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 200 && child.exitCode === null; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (up) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
