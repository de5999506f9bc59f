// Collects a child's output up to a byte limit and keeps draining past it, so a chatty command
// neither blocks on a full pipe nor grows the server's memory.
import type { Readable } from 'node:stream';

// The collected text and whether anything was dropped.
export type Captured = { text: string; truncated: boolean };

// Reads STREAM to its end, keeping the first LIMIT bytes (decoded as UTF-8).
export function capture(stream: Readable | null | undefined, limit: number): Promise<Captured> {
  return new Promise((resolve, reject) => {
    if (!stream) return resolve({ text: '', truncated: false });
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    stream.on('data', (chunk: Buffer) => {
      if (kept >= limit) {
        truncated = true;
        return;
      }
      const part = chunk.length > limit - kept ? chunk.subarray(0, limit - kept) : chunk;
      truncated ||= part.length < chunk.length;
      chunks.push(part);
      kept += part.length;
    });
    stream.on('error', reject);
    stream.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), truncated }));
  });
}
