import Docker from 'dockerode';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { buildStack, stackImagesPresent, RUN_IMAGE, BUILD_IMAGE } from './stack.js';
import { parseAptMirror } from './stack-base.js';

const docker = new Docker();

describe('parseAptMirror', () => {
  it.each([
    [
      'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n',
      'http://deb.debian.org/debian',
    ],
    [
      'Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n',
      'http://mirror.example/debian',
    ],
    ['deb http://ftp.example/debian bookworm main\n', 'http://ftp.example/debian'],
    ['deb [arch=amd64] http://ftp.example/debian bookworm main\n', 'http://ftp.example/debian'],
    ['deb http://ftp.example/debian bullseye main\n', null],
    ['', null],
  ])('finds the bookworm mirror in %j', (text, mirror) => {
    expect(parseAptMirror(text)).toBe(mirror);
  });
});

describe('buildStack', () => {
  it('leaves build and run images with a runnable node and npm', async () => {
    const lines: string[] = [];
    const images = await buildStack({ docker, log: { line: (l) => lines.push(l) } });
    expect(images).toEqual({ buildImage: BUILD_IMAGE, runImage: RUN_IMAGE });
    expect(await stackImagesPresent(docker)).toBe(true);

    const node = await execa('docker', ['run', '--rm', RUN_IMAGE, 'node', '-e', 'console.log(1)']);
    expect(node.stdout.trim()).toBe('1');
    const user = await execa('docker', ['run', '--rm', '--user', 'app', RUN_IMAGE, 'id', '-u']);
    expect(user.stdout.trim()).toBe('1000');
    const npm = await execa('docker', ['run', '--rm', BUILD_IMAGE, 'npm', '--version']);
    expect(npm.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    const info = await docker.getImage(RUN_IMAGE).inspect();
    expect(info.Config.Labels?.['devflow.stack']).toBe('bookworm');
  });
});
