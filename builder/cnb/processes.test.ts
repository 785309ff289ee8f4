import { describe, expect, it } from 'vitest';
import { BuildError } from '../../core/errors.js';
import { mergeProcessDefs, parseLaunchToml, parseProcfile, processLine, processTable, shellQuote, type ProcessDef } from './processes.js';

const lines = (text: string) => processTable(parseLaunchToml(text, 'bp').processes);

describe('parseLaunchToml', () => {
  it.each([
    ['[[processes]]\ntype = "web"\ncommand = ["npm", "start"]\n', { web: 'npm start' }],
    ['[[processes]]\ntype = "web"\ncommand = ["node", "my app.js"]\nargs = ["--x"]\n', { web: "node 'my app.js' --x" }],
    ['[[processes]]\ntype = "worker"\ncommand = "node worker.js && echo done"\n', { worker: 'node worker.js && echo done' }],
    ['[[processes]]\ntype = "web"\ncommand = ["bash", "-c", "echo \'hi\'"]\n', { web: `bash -c 'echo '\\''hi'\\'''` }],
    ['', {}],
  ])('reads %j', (text, table) => {
    expect(lines(text)).toEqual(table);
  });

  it('keeps args, default, working-dir and labels', () => {
    const doc = parseLaunchToml('[[labels]]\nkey = "a"\nvalue = "b"\n[[processes]]\ntype = "web"\ncommand = ["x"]\nargs = ["y"]\ndefault = true\nworking-dir = "sub"\n', 'me');
    expect(doc).toEqual({
      labels: { a: 'b' },
      processes: [{ type: 'web', command: ['x'], args: ['y'], direct: true, default: true, workingDir: 'sub', buildpackId: 'me' }],
    });
  });

  it.each([
    ['[[processes]\n', /not valid|invalid launch.toml/],
    ['[[processes]]\ntype = "web"\n', /process web: command is missing or empty/],
    ['[[processes]]\ntype = "we b"\ncommand = ["x"]\n', /process type "we b"/],
    ['[[processes]]\ntype = "web"\ncommand = ["x"]\n[[processes]]\ntype = "web"\ncommand = ["y"]\n', /declared twice/],
    ['[[processes]]\ntype = "a"\ncommand = ["x"]\ndefault = true\n[[processes]]\ntype = "b"\ncommand = ["y"]\ndefault = true\n', /only one process may have default/],
  ])('rejects %j naming the buildpack', (text, message) => {
    const err = (() => {
      try {
        parseLaunchToml(text, 'acme/bp');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toMatch(/^build: buildpack acme\/bp wrote an invalid launch.toml/);
    expect((err as BuildError).message).toMatch(message);
  });
});

describe('parseProcfile', () => {
  it.each([
    ['web: node server.js\nworker: node worker.js\n', { web: 'node server.js', worker: 'node worker.js' }],
    ['# comment\n\nweb:   npm start  \r\n', { web: 'npm start' }],
    ['release: ./migrate.sh && echo ok: done\n', { release: './migrate.sh && echo ok: done' }],
    ['not a process line\n', {}],
  ])('reads %j', (text, table) => {
    expect(parseProcfile(text)).toEqual(table);
  });
});

const def = (type: string, command: string, isDefault = false): ProcessDef => ({ type, command: [command], args: [], direct: true, default: isDefault, workingDir: null, buildpackId: 'bp' });

describe('mergeProcessDefs', () => {
  it.each<[string, ProcessDef[][], Record<string, string> | null, Record<string, string>, string | null]>([
    ['one buildpack', [[def('web', 'a', true)]], null, { web: 'a' }, 'web'],
    ['the Procfile overrides a type', [[def('web', 'a', true)]], { web: 'node a.js' }, { web: 'node a.js' }, 'web'],
    ['the Procfile adds types', [[def('web', 'a')]], { worker: 'node w.js' }, { web: 'a', worker: 'node w.js' }, null],
    ['a later buildpack overrides the type', [[def('web', 'a', true)], [def('web', 'b', true)]], null, { web: 'b' }, 'web'],
    ['a later non-default definition clears the default', [[def('web', 'a', true)], [def('web', 'b')]], null, { web: 'b' }, null],
    ['the last default wins', [[def('web', 'a', true)], [def('cli', 'b', true)]], null, { web: 'a', cli: 'b' }, 'cli'],
  ])('%s', (_name, defs, procfile, table, defaultType) => {
    const merged = mergeProcessDefs(defs, procfile);
    expect(processTable(merged.processes)).toEqual(table);
    expect(merged.defaultType).toBe(defaultType);
  });
});

describe('shellQuote / processLine', () => {
  it.each([
    ['npm', 'npm'],
    ['a b', "'a b'"],
    ["it's", `'it'\\''s'`],
    ['$HOME', "'$HOME'"],
  ])('quotes %j', (word, quoted) => expect(shellQuote(word)).toBe(quoted));

  it('shows shell commands as written, with args quoted after them', () => {
    expect(processLine({ ...def('w', 'echo $X'), direct: false, args: ['a b'] })).toBe("echo $X 'a b'");
  });
});
