import { describe, expect, it } from 'vitest';
import { mergeProcesses, parseLaunchToml, parseProcfile, shellQuote } from './processes.js';

describe('parseLaunchToml', () => {
  it.each([
    ['[[processes]]\ntype = "web"\ncommand = ["npm", "start"]\n', { web: 'npm start' }],
    ['[[processes]]\ntype = "web"\ncommand = ["node", "my app.js"]\nargs = ["--x"]\n', { web: "node 'my app.js' --x" }],
    ['[[processes]]\ntype = "worker"\ncommand = "node worker.js && echo done"\n', { worker: 'node worker.js && echo done' }],
    ['[[processes]]\ntype = "web"\ncommand = ["bash", "-c", "echo \'hi\'"]\n', { web: `bash -c 'echo '\\''hi'\\'''` }],
    ['', {}],
  ])('reads %j', (text, table) => {
    expect(parseLaunchToml(text)).toEqual(table);
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

describe('mergeProcesses', () => {
  it.each([
    [[{ web: 'npm start' }], null, { web: 'npm start' }],
    [[{ web: 'npm start' }], { web: 'node a.js' }, { web: 'node a.js' }],
    [[{ web: 'npm start' }], { worker: 'node w.js' }, { web: 'npm start', worker: 'node w.js' }],
    [[{ web: 'a' }, { web: 'b' }], null, { web: 'b' }],
    [[], null, {}],
  ])('merges %j with Procfile %j', (tables, procfile, expected) => {
    expect(mergeProcesses(tables, procfile)).toEqual(expected);
  });
});

describe('shellQuote', () => {
  it.each([
    ['npm', 'npm'],
    ['a b', "'a b'"],
    ["it's", `'it'\\''s'`],
    ['$HOME', "'$HOME'"],
  ])('quotes %j', (word, quoted) => expect(shellQuote(word)).toBe(quoted));
});
