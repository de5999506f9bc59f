// Image builds for OpenHands' RemoteRuntimeBuilder (POST /build, GET /build_status): the client
// uploads a tar.gz context (base64, as its builder sends it), the server extracts it with GNU tar
// (which refuses absolute and `..` members and defers symlinks, so nothing lands outside the
// directory) and runs `podman build` in the background; the record says PENDING, RUNNING, SUCCESS
// (with the image) or FAILURE (with the build's last lines).
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Driver } from './driver.js';
import { ApiError } from './errors.js';

// One build as /build_status reports it.
export type BuildRecord = {
  build_id: string;
  status: 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE';
  image: string;
  tags: string[];
  error?: string;
  started_at: string;
  finished_at?: string;
};

const GZIP = [0x1f, 0x8b];
const isGzip = (b: Buffer) => b[0] === GZIP[0] && b[1] === GZIP[1];

// The context as bytes: gzip as sent, or base64 of gzip (OpenHands' builder encodes it).
export function contextBytes(sent: Buffer): Buffer {
  if (isGzip(sent)) return sent;
  const decoded = Buffer.from(sent.toString('latin1').replace(/\s+/g, ''), 'base64');
  if (!isGzip(decoded)) throw new ApiError(400, 'the build context must be a tar.gz archive (or its base64)');
  return decoded;
}

// The builds of one server.
export class Builds {
  private readonly all = new Map<string, BuildRecord>();
  private active = 0;

  constructor(
    private readonly driver: Driver,
    private readonly workDir: string,
    private readonly maxActive = 1,
  ) {}

  // Starts building CONTEXT (tar.gz) as TAGS[0] (and the other tags); 429 while builds are busy.
  start(context: Buffer, tags: string[]): BuildRecord {
    if (this.active >= this.maxActive)
      throw new ApiError(429, `${this.active} build(s) already running (rate limit); retry later`, {
        'retry-after': '30',
      });
    const bytes = contextBytes(context);
    const record: BuildRecord = {
      build_id: crypto.randomUUID(),
      status: 'PENDING',
      image: tags[0] ?? '',
      tags,
      started_at: new Date().toISOString(),
    };
    this.all.set(record.build_id, record);
    this.active += 1;
    void this.run(record, bytes);
    return record;
  }

  // The record of build ID, or a 404.
  get(id: string): BuildRecord {
    const record = this.all.get(id);
    if (!record) throw new ApiError(404, `no build ${id}`);
    return record;
  }

  private async run(record: BuildRecord, bytes: Buffer): Promise<void> {
    const dir = path.join(this.workDir, `build-${record.build_id}`);
    try {
      await fs.mkdir(dir, { mode: 0o700 });
      const x = await execa('tar', ['-xz', '--no-same-owner', '--no-same-permissions', '-C', dir], {
        input: bytes,
        reject: false,
      });
      if (x.exitCode !== 0)
        throw new Error(`the context did not unpack: ${String(x.stderr).trim().split('\n').slice(-2).join(' / ')}`);
      record.status = 'RUNNING';
      const built = await this.driver.build(dir, record.tags);
      if (!built.ok) throw new Error(`podman build failed:\n${built.log}`);
      record.status = 'SUCCESS';
    } catch (error) {
      record.status = 'FAILURE';
      record.error = (error as Error).message;
    } finally {
      // free the slot with the final status (same tick): a client that saw SUCCESS may build again at once
      this.active -= 1;
      record.finished_at = new Date().toISOString();
      await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }
}
