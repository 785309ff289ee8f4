import { describe, expect, it } from 'vitest';
import { BuildError } from '../../core/errors.js';
import { gitignoreMatcher, parseProjectToml } from './project.js';

describe('parseProjectToml', () => {
  it('reads build env, exclude and a group of id, uri and inline script entries', () => {
    const text = [
      '[_]', 'schema-version = "0.2"', 'id = "my-app"',
      '[io.buildpacks]', 'exclude = ["spec/", "*.log"]',
      '[[io.buildpacks.build.env]]', 'name = "BP_GREETING"', 'value = "howdy"',
      '[[io.buildpacks.group]]', 'id = "devflow/nodejs"', 'version = "0.2.0"',
      '[[io.buildpacks.group]]', 'uri = "./buildpacks/mine"',
      '[[io.buildpacks.group]]', 'id = "me/post"', '[io.buildpacks.group.script]', 'api = "0.10"', 'inline = "echo hi"',
    ].join('\n');
    expect(parseProjectToml(text)).toEqual({
      buildEnv: { BP_GREETING: 'howdy' },
      include: null,
      exclude: ['spec/', '*.log'],
      group: [
        { kind: 'id', id: 'devflow/nodejs', version: '0.2.0' },
        { kind: 'uri', path: 'buildpacks/mine' },
        { kind: 'script', id: 'me/post', api: '0.10', shell: '/bin/sh', inline: 'echo hi' },
      ],
      pre: [],
      post: [],
    });
  });

  it.each([
    ['[_\n', /project.toml: not valid TOML/],
    ['[_]\nid = "x"\n', /\[_\] needs schema-version/],
    ['[_]\nschema-version = "9.0"\n', /schema-version "9.0" is not supported/],
    ['[io.buildpacks]\ninclude = ["a"]\nexclude = ["b"]\n', /mutually exclusive/],
    ['[[io.buildpacks.group]]\nuri = "../outside"\n', /must be a directory inside the repository/],
    ['[[io.buildpacks.group]]\nuri = "docker://cnbs/sample"\n', /is not supported/],
    ['[[io.buildpacks.group]]\nid = "a"\nversion = "1"\nuri = "x"\n', /only one of version, uri and script/],
    ['[[io.buildpacks.group]]\nversion = "1"\n', /needs an id, a uri or a script/],
    ['[[io.buildpacks.build.env]]\nname = "1BAD"\nvalue = "x"\n', /needs a name/],
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
