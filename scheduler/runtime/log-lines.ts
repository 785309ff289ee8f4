/**
 * Turning raw output into lines. Docker multiplexes stdout and stderr of a non-TTY container into
 * frames (Docker Engine API, "Attach to a container": an 8-byte header of stream type, three zero
 * bytes and a big-endian uint32 payload size, then the payload).
 */

const HEADER_BYTES = 8;

/** Splits text into lines without the empty piece after a final newline; drops CRs of CRLF. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function lastLines(lines: string[], tail: number): string[] {
  return tail <= 0 ? [] : lines.slice(-tail);
}

function looksMultiplexed(buffer: Buffer): boolean {
  if (buffer.length < HEADER_BYTES) return false;
  const stream = buffer[0] ?? 255;
  return stream <= 2 && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
}

/**
 * Lines of a multiplexed log buffer, in the order they arrived. A line may be cut across frames
 * (Docker splits long log entries), so each stream keeps its unfinished line until its newline.
 * A buffer that is not multiplexed (a TTY container) is read as plain text.
 */
export function demuxDockerLogLines(buffer: Buffer): string[] {
  if (!looksMultiplexed(buffer)) return splitLines(buffer.toString('utf8'));
  // Bytes, not strings: a frame boundary may also cut a multi-byte UTF-8 character.
  const pending = new Map<number, Buffer>();
  const lines: string[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= buffer.length) {
    const stream = buffer.readUInt8(offset);
    const size = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size);
    offset += HEADER_BYTES + size;
    let rest = Buffer.concat([pending.get(stream) ?? Buffer.alloc(0), payload]);
    for (let newline = rest.indexOf(10); newline !== -1; newline = rest.indexOf(10)) {
      lines.push(rest.subarray(0, newline).toString('utf8').replace(/\r$/, ''));
      rest = rest.subarray(newline + 1);
    }
    pending.set(stream, rest);
  }
  for (const rest of pending.values()) if (rest.length > 0) lines.push(rest.toString('utf8'));
  return lines;
}
