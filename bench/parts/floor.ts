import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { localS3Client } from '../../lib/local/clients';
import { startServers } from '../../lib/local/servers';
import { childInput, peakRssMiB, reportResult, seconds } from '../child';

/**
 * The physical floor: the least any reader of the file must spend. From disk, a read stream
 * that touches every chunk (the file was just written or read, so this is the page cache — the
 * same state the other measurements start from); from the local S3 (s3rver, as the pipeline's
 * handlers read it), a GetObject whose body stream is drained.
 */

export interface FloorInput {
  readonly file: string;
  readonly s3: boolean;
}

export interface FloorResult {
  readonly bytes: number;
  readonly diskSeconds: number;
  readonly s3Seconds: number | null;
  readonly peakRssMiB: number;
}

const input = childInput<FloorInput>();

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of source) bytes += chunk.length;
  return bytes;
}

const bytes = statSync(input.file).size;
const diskStarted = performance.now();
const read = await drain(createReadStream(input.file, { highWaterMark: 1 << 20 }));
const diskSeconds = seconds(diskStarted);
if (read !== bytes) throw new Error(`Read ${read} of ${bytes} bytes from disk.`);

let s3Seconds: number | null = null;
if (input.s3) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cap-bench-floor-'));
  const servers = await startServers({ dataDir, persist: false });
  const s3 = localS3Client({ s3Endpoint: servers.s3Endpoint, region: 'eu-west-2' });
  try {
    const ref = { Bucket: 'floor', Key: 'uploads/R1H/cwt/2025-06/file.csv' };
    await s3.send(new CreateBucketCommand({ Bucket: ref.Bucket }));
    await s3.send(
      new PutObjectCommand({ ...ref, Body: createReadStream(input.file), ContentLength: bytes }),
    );
    const started = performance.now();
    const object = await s3.send(new GetObjectCommand(ref));
    const got = await drain(object.Body as AsyncIterable<Uint8Array>);
    s3Seconds = seconds(started);
    if (got !== bytes) throw new Error(`Read ${got} of ${bytes} bytes from S3.`);
  } finally {
    s3.destroy();
    await servers.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const result: FloorResult = { bytes, diskSeconds, s3Seconds, peakRssMiB: peakRssMiB() };
reportResult(result);
