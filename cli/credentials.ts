/**
 * `devflow login` stores the API URL and token in one file, independent of DEVFLOW_HOME:
 * $DEVFLOW_CONFIG, else $XDG_CONFIG_HOME/devflow/credentials.json, else
 * ~/.config/devflow/credentials.json, written with mode 0600 in a 0700 folder.
 * DEVFLOW_API / DEVFLOW_TOKEN override it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCliSettings } from '../core/settings.js';

export interface Credentials {
  api: string;
  token: string;
  /** After `devflow login --email`: trades for a new access token when it expires (issue 19). */
  refreshToken?: string;
}

export function credentialsPath(env: NodeJS.ProcessEnv): string {
  const configFile = readCliSettings(env).configFile;
  if (configFile) return path.resolve(configFile);
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'devflow', 'credentials.json');
}

export function readCredentials(env: NodeJS.ProcessEnv): Credentials | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(credentialsPath(env), 'utf8')) as Partial<Credentials>;
    if (typeof parsed.api !== 'string' || typeof parsed.token !== 'string') return undefined;
    return { api: parsed.api, token: parsed.token, ...(typeof parsed.refreshToken === 'string' ? { refreshToken: parsed.refreshToken } : {}) };
  } catch {
    return undefined;
  }
}

export function writeCredentials(env: NodeJS.ProcessEnv, credentials: Credentials): string {
  const file = credentialsPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file; make sure it is private.
  fs.chmodSync(file, 0o600);
  return file;
}

export function removeCredentials(env: NodeJS.ProcessEnv): boolean {
  try {
    fs.unlinkSync(credentialsPath(env));
    return true;
  } catch {
    return false;
  }
}
