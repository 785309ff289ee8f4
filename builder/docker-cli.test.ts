import { describe, expect, it } from 'vitest';
import { dockerBuildArgs } from './docker-cli.js';

describe('dockerBuildArgs', () => {
  it.each([
    [{ contextDir: '/src', tag: 'devflow/a:1' }, ['build', '--progress=plain', '--tag', 'devflow/a:1', '/src']],
    [
      {
        contextDir: '/src',
        tag: 'devflow/a:1',
        labels: { 'devflow.app': 'a' },
        buildArgs: { NPM_CONFIG_REGISTRY: 'https://r/' },
        secrets: [{ id: 'ca', src: '/etc/ca.crt' }],
        dockerfile: '/w/Dockerfile',
      },
      [
        'build', '--progress=plain', '--tag', 'devflow/a:1', '--label', 'devflow.app=a',
        '--build-arg', 'NPM_CONFIG_REGISTRY=https://r/', '--secret', 'id=ca,src=/etc/ca.crt',
        '--file', '/w/Dockerfile', '/src',
      ],
    ],
    // Values travel as single arguments, so spaces and shell characters need no escaping.
    [{ contextDir: '/a b', tag: 't', labels: { x: 'a; rm -rf /' } }, ['build', '--progress=plain', '--tag', 't', '--label', 'x=a; rm -rf /', '/a b']],
  ])('builds the argument array for %j', (opts, args) => {
    expect(dockerBuildArgs(opts)).toEqual(args);
  });
});
