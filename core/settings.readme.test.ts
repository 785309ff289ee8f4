/**
 * The README's Settings table is checked against core/settings.ts (issue 14): a variable the code
 * reads but the README does not list fails, and so does one the README lists but nothing reads.
 * Every reader goes through settings.ts: a file that reads a DEVFLOW_* variable (or DATABASE_URL,
 * REDIS_URL) from the environment by itself fails too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCliSettings, readServerSettings, SETTINGS, type SettingRow } from './settings.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function readmeRows(): SettingRow[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Settings\n')) ?? '';
  return section.split('\n').filter((line) => line.startsWith('| `')).map((line) => {
    const [name, dflt, readBy, meaning] = line.slice(2, -2).split(' | ');
    return { name: name!.replaceAll('`', ''), default: dflt!, readBy: readBy as SettingRow['readBy'], meaning: meaning! };
  });
}

const renderRow = (r: SettingRow) => `| \`${r.name}\` | ${r.default} | ${r.readBy} | ${r.meaning} |`;

/** The variables the readers ask the environment for. */
function namesRead(): string[] {
  const asked = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, key) => {
      if (typeof key === 'string') asked.add(key);
      return undefined;
    },
  });
  readServerSettings(env);
  readCliSettings(env);
  return [...asked].filter((name) => name !== 'HOME').sort();
}

/** Source files that read a setting from the environment themselves, with the names they read. */
function readersOutsideSettings(): string[] {
  const found: string[] = [];
  // Tests and benchmarks set up environments; examples and buildpacks are apps, which read what
  // DevFlow gives them (DATABASE_URL, DEVFLOW_RELEASE), not DevFlow's settings.
  const skip = new Set(['node_modules', 'dist', '.test-dist', 'tests', 'bench', 'test-artifacts', '.git', 'examples', 'buildpacks']);
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) walk(file);
      } else if (/\.(ts|mjs|js)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && file !== path.join(ROOT, 'core/settings.ts')) {
        const text = fs.readFileSync(file, 'utf8');
        const names = [
          ...[...text.matchAll(/\benv(?:\.|\[['"])(DEVFLOW_[A-Z0-9_]+|DATABASE_URL|REDIS_URL)\b(?!\s*=[^=])/g)].map((m) => m[1]!),
          ...[...text.matchAll(/\{([^}]*)\}\s*=\s*process\.env\b/g)].flatMap((m) => m[1]!.match(/DEVFLOW_[A-Z0-9_]+|DATABASE_URL|REDIS_URL/g) ?? []),
        ].filter((name) => !INTERNAL.test(name));
        if (names.length > 0) found.push(`${path.relative(ROOT, file)}: ${[...new Set(names)].join(', ')}`);
      }
    }
  };
  walk(ROOT);
  return found;
}

/**
 * Not settings: DevFlow sets these itself, for its git hook (receiver/hook-channel.ts) and for
 * the telemetry agent inside swarm tasks (telemetry/env.ts: DEVFLOW_REPORT_USAGE), which read them.
 */
const INTERNAL = /^(DEVFLOW_HOOK_|DEVFLOW_REPORT_USAGE$)/;

describe('settings', () => {
  it('the README lists every variable the code reads, and no other', () => {
    const documented = readmeRows().map((r) => r.name);
    const declared = SETTINGS.map((r) => r.name);
    expect(declared.filter((n) => !documented.includes(n)), 'missing from the README Settings table').toEqual([]);
    expect(documented.filter((n) => !(declared as string[]).includes(n)), 'in the README but not in core/settings.ts').toEqual([]);
    // Defaults and meanings too: the expected lines can be pasted into the README as they are.
    expect(readmeRows().map(renderRow).join('\n')).toBe(SETTINGS.map(renderRow).join('\n'));
  });

  it('every declared variable is read, and only declared ones', () => {
    expect(namesRead()).toEqual(SETTINGS.map((r) => r.name).sort());
  });

  it('no module reads a setting from the environment except core/settings.ts', () => {
    expect(readersOutsideSettings()).toEqual([]);
  });
});
