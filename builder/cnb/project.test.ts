import { describe, expect, it } from 'vitest';
import { BuildError } from '../../core/errors.js';
import { gitignoreMatcher, parseProjectToml, type ProjectDescriptor } from './project.js';

const toml = (...lines: string[]) => lines.join('\n');

describe('parseProjectToml', () => {
  const nodeGroup = { kind: 'id', id: 'devflow/nodejs', version: '0.2.0' } as const;
  const inline = { kind: 'script', id: 'me/post', api: '0.10', shell: '/bin/sh', inline: 'echo hi' } as const;

  // Each layout written the way its users write it, normalised into one descriptor.
  it.each<[string, string, Partial<ProjectDescriptor>]>([
    [
      'schema 0.2: [_] and [io.buildpacks]',
      toml(
        '[_]', 'schema-version = "0.2"', 'id = "my-app"',
        '[io.buildpacks]', 'exclude = ["spec/", "*.log"]',
        '[[io.buildpacks.build.env]]', 'name = "BP_GREETING"', 'value = "howdy"',
        '[[io.buildpacks.group]]', 'id = "devflow/nodejs"', 'version = "0.2.0"',
        '[[io.buildpacks.group]]', 'uri = "./buildpacks/mine"',
        '[[io.buildpacks.group]]', 'id = "me/post"', '[io.buildpacks.group.script]', 'api = "0.10"', 'inline = "echo hi"',
      ),
      { schema: '0.2', buildEnv: { BP_GREETING: 'howdy' }, include: null, exclude: ['spec/', '*.log'], group: [nodeGroup, { kind: 'uri', path: 'buildpacks/mine' }, inline], pre: [], post: [], warnings: [] },
    ],
    [
      'schema 0.1 (no [_]): [project] and [build]',
      toml(
        '[project]', 'id = "my-app"', 'name = "My App"', 'version = "1.0"', '[[project.licenses]]', 'type = "MIT"',
        '[build]', 'include = ["src/", "package.json"]',
        '[[build.buildpacks]]', 'id = "devflow/nodejs"', 'version = "0.2.0"',
        '[[build.buildpacks]]', 'uri = "file://buildpacks/mine"',
        '[[build.buildpacks]]', 'id = "me/post"', '[build.buildpacks.script]', 'api = "0.10"', 'inline = "echo hi"',
        '[[build.env]]', 'name = "BP_GREETING"', 'value = "howdy"',
        '[metadata]', 'pipeline = "free-form, not validated"',
      ),
      { schema: '0.1', buildEnv: { BP_GREETING: 'howdy' }, include: ['src/', 'package.json'], exclude: null, group: [nodeGroup, { kind: 'uri', path: 'buildpacks/mine' }, inline], pre: [], post: [], warnings: [] },
    ],
    [
      'schema 0.1 declared explicitly',
      toml('[_]', 'schema-version = "0.1"', '[[build.buildpacks]]', 'uri = "urn:buildpack:devflow/nodejs"'),
      { schema: '0.1', group: [{ kind: 'id', id: 'devflow/nodejs', version: null }] },
    ],
    ['an empty file is schema 0.1 with nothing set', '', { schema: '0.1', buildEnv: {}, include: null, exclude: null, group: null, warnings: [] }],
    [
      'schema 0.2 pre and post groups around the default order',
      toml('[_]', 'schema-version = "0.2"', '[[io.buildpacks.pre.group]]', 'uri = "urn:cnb:registry:me/pre@1.0"', '[[io.buildpacks.post.group]]', 'id = "me/post"', '[io.buildpacks.post.group.script]', 'api = "0.10"', 'inline = "echo hi"'),
      { group: null, pre: [{ kind: 'id', id: 'me/pre', version: null }], post: [inline] },
    ],
    [
      "schema 0.2's older [[io.buildpacks.env.build]], read when build.env is absent",
      toml('[_]', 'schema-version = "0.2"', '[[io.buildpacks.env.build]]', 'name = "A"', 'value = "1"', '[[io.buildpacks.env.build]]', 'name = "A"', 'value = "2"'),
      { buildEnv: { A: '2' } },
    ],
    [
      'an inline script with its own shell',
      toml('[[build.buildpacks]]', 'id = "me/bash"', '[build.buildpacks.script]', 'api = "0.10"', 'shell = "/bin/bash"', 'inline = "echo $BASH_VERSION"'),
      { group: [{ kind: 'script', id: 'me/bash', api: '0.10', shell: '/bin/bash', inline: 'echo $BASH_VERSION' }] },
    ],
  ])('reads %s', (_name, text, expected) => {
    expect(parseProjectToml(text)).toMatchObject(expected);
  });

  // Keys a schema does not define are ignored with a warning, as pack does.
  it.each<[string, string, RegExp[]]>([
    ['[io.buildpacks] without [_] (read as 0.2)', toml('[[io.buildpacks.group]]', 'id = "a"'), [/without \[_\] schema-version = "0\.2" is read as schema 0\.2/]],
    ['a builder in [build]', toml('[build]', 'builder = "cnbs/sample-builder:bionic"'), [/builder is ignored/]],
    ['a builder in [io.buildpacks]', toml('[_]', 'schema-version = "0.2"', '[io.buildpacks]', 'builder = "x"'), [/builder is ignored/]],
    ['an unknown key in [build]', toml('[build]', 'includes = ["a"]'), [/build\.includes is not part of schema 0\.1; ignored/]],
    [
      "the spec revision's io.buildpacks.build.include",
      toml('[_]', 'schema-version = "0.2"', '[io.buildpacks.build]', 'include = ["a"]'),
      [/io\.buildpacks\.build\.include is ignored \(pack reads io\.buildpacks\.include\)/],
    ],
  ])('warns about %s', (_name, text, warnings) => {
    const read = parseProjectToml(text);
    expect(read.warnings).toHaveLength(warnings.length);
    warnings.forEach((w, i) => expect(read.warnings[i]).toMatch(w));
  });

  it.each([
    ['[_\n', /project.toml: not valid TOML/],
    ['[_]\nschema-version = "9.0"\n', /schema-version "9.0" is not supported/],
    ['[build]\nexclude = ["a"]\n[io.buildpacks]\nexclude = ["a"]\n', /mixes \[io\.buildpacks\] \(schema 0\.2\) with \[project\] or \[build\]/],
    ['[_]\nschema-version = "0.2"\n[io.buildpacks]\ninclude = ["a"]\nexclude = ["b"]\n', /include and exclude are mutually exclusive/],
    ['[build]\ninclude = ["a"]\nexclude = ["b"]\n', /include and exclude are mutually exclusive/],
    ['[build]\nexclude = "spec/"\n', /build\.exclude must be an array of strings/],
    ['[build.env]\nBP_X = "1"\n', /build\.env must be an array of tables \(\[\[build\.env\]\]\)/],
    ['[[build.env]]\nname = "1BAD"\nvalue = "x"\n', /every \[\[build\.env\]\] entry needs a name/],
    ['[[build.buildpacks]]\nuri = "../outside"\n', /must be a directory inside the repository/],
    ['[[build.buildpacks]]\nuri = "docker://cnbs/sample"\n', /is not supported/],
    ['[[build.buildpacks]]\nid = "a"\nversion = "1"\nuri = "x"\n', /only one of version, uri and script/],
    ['[[build.buildpacks]]\nversion = "1"\n', /build\.buildpacks entry 1 needs an id or a uri/],
    ['[[build.buildpacks]]\n[build.buildpacks.script]\napi = "0.10"\ninline = "x"\n', /an inline script buildpack needs an id/],
    ['[[build.buildpacks]]\nid = "a"\n[build.buildpacks.script]\ninline = "x"\n', /script needs api and inline/],
    ['[_]\nschema-version = "0.2"\n[[io.buildpacks.group]]\nuri = "/abs"\n', /buildpack uri "\/abs" must be a directory inside the repository/],
    ['[_]\nschema-version = "0.2"\n[[io.buildpacks.build.env]]\nname = "X"\n', /every \[\[io\.buildpacks\.build\.env\]\] entry needs a name/],
    ['[[project.licenses]]\nname = "x"\n', /every \[\[project\.licenses\]\] entry needs a type or a uri/],
  ])('rejects %j naming project.toml', (text, message) => {
    const err = (() => {
      try {
        parseProjectToml(text);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).message).toMatch(message);
  });
});

describe('gitignoreMatcher', () => {
  it.each([
    ['*.log', 'a.log', false, true],
    ['*.log', 'deep/b.log', false, true],
    ['spec/', 'spec', true, true],
    ['spec/', 'spec', false, false],
    ['/build', 'build', true, true],
    ['/build', 'x/build', true, false],
    ['docs/*.md', 'docs/a.md', false, true],
    ['docs/*.md', 'docs/x/a.md', false, false],
    ['src/**', 'src/a/b.ts', false, true],
  ])('%s matches %s (dir %s): %s', (pattern, path, isDir, expected) => {
    expect(gitignoreMatcher(pattern)(path, isDir)).toBe(expected);
  });
});
