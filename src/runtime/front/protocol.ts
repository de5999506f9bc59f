// The frames the native front (native/front.c) and the runtime server exchange on a unix socket:
// a 4-byte little-endian payload length, a 1-byte type, the payload. Lists are NUL-terminated
// strings. Front to server: Q (the call: argc-1, cwd, the arguments, then the environment), S
// (an answer to R, D, H or A) and K (the front got this signal). Server to front: O/E (bytes for
// fd 1/2), R (run this argv with your stdio and fds, answer S with its exit status), D (start this
// argv in its own session with your stdio, do not wait, answer S with its pid or 0), T (pass
// SIGINT/SIGTERM on as K: "1", or take them as usual again: "0"), X (exit with this code),
// C (run the Node CLI instead). H makes the front fork a hand for a scrun container (answer S:
// its pid) that keeps the connection: the first X ends the parent, the second the hand. To a
// hand, A runs an argv with its stdin and stdout (answer S: the pid, or 0), whose stderr comes
// back as e (bytes) and g (closed by every holder), and its exit status as x.
export type Frame = { type: string; payload: Buffer };
export type Call = { argv: string[]; cwd: string; env: Record<string, string> };

// Hard limit on a frame: a call's arguments and environment fit easily.
const MAX_FRAME = 16 << 20;

// One encoded frame.
export function frame(type: string, payload: Buffer | string = ''): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.writeUInt32LE(body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

// STRINGS as a NUL-terminated list.
export const nulList = (strings: string[]): Buffer => Buffer.from(strings.map((s) => `${s}\0`).join(''));

// Splits a stream of bytes into frames.
export class FrameReader {
  private buffer = Buffer.alloc(0);

  // Adds CHUNK; returns the frames it completes. Throws on an oversized frame.
  push(chunk: Buffer): Frame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    while (this.buffer.length >= 5) {
      const length = this.buffer.readUInt32LE(0);
      if (length > MAX_FRAME) throw new Error(`frame of ${length} bytes`);
      if (this.buffer.length < 5 + length) break;
      frames.push({ type: this.buffer.toString('latin1', 4, 5), payload: this.buffer.subarray(5, 5 + length) });
      this.buffer = this.buffer.subarray(5 + length);
    }
    return frames;
  }
}

// The call in a Q frame's payload.
export function parseCall(payload: Buffer): Call {
  const fields = payload.toString().split('\0');
  fields.pop(); // the list's final NUL
  const count = Number(fields[0]);
  if (!Number.isInteger(count) || count < 0 || fields.length < 2 + count) throw new Error('malformed call');
  const env: Record<string, string> = {};
  for (const entry of fields.slice(2 + count)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { cwd: fields[1]!, argv: fields.slice(2, 2 + count), env };
}
