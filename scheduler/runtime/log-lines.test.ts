import { describe, expect, it } from 'vitest';
import { demuxDockerLogLines, lastLines, splitLines } from './log-lines.js';

function frame(stream: number, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('splitLines', () => {
  const cases: Array<[string, string[]]> = [
    ['', []],
    ['a', ['a']],
    ['a\n', ['a']],
    ['a\r\nb\n', ['a', 'b']],
    ['a\n\nb', ['a', '', 'b']],
  ];
  it.each(cases)('%j', (text, expected) => {
    expect(splitLines(text)).toEqual(expected);
  });
});

describe('lastLines', () => {
  it('keeps the newest lines', () => {
    expect(lastLines(['a', 'b', 'c'], 2)).toEqual(['b', 'c']);
    expect(lastLines(['a'], 5)).toEqual(['a']);
    expect(lastLines(['a'], 0)).toEqual([]);
  });
});

describe('demuxDockerLogLines', () => {
  const euro = Buffer.from('€\n');
  const cases: Array<[string, Buffer, string[]]> = [
    ['stdout and stderr interleaved', Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]), ['out 1', 'err 1', 'out 2']],
    ['a line cut across frames', Buffer.concat([frame(1, 'hel'), frame(1, 'lo\nbye\n')]), ['hello', 'bye']],
    ['a final line without newline', frame(1, 'a\nb'), ['a', 'b']],
    ['a UTF-8 character cut across frames', Buffer.concat([frame(1, euro.subarray(0, 1)), frame(1, euro.subarray(1))]), ['€']],
    ['plain text (TTY)', Buffer.from('just text\nmore\n'), ['just text', 'more']],
    ['empty', Buffer.alloc(0), []],
  ];
  it.each(cases)('%s', (_name, buffer, expected) => {
    expect(demuxDockerLogLines(buffer)).toEqual(expected);
  });
});
