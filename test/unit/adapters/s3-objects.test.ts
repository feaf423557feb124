import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createObjectWriter,
  readLines,
  readNdjson,
  writeStreamed,
} from '../../../lambdas/adapters/s3-objects';

const s3 = mockClient(S3Client);
const ref = { bucket: 'b', key: 'staging/sub/enriched/0.ndjson' };
const MiB = 2 ** 20;

/** A GetObject body that arrives in the given byte pieces. */
const bodyOf = (pieces: Uint8Array[]) =>
  (async function* () {
    yield* pieces;
  })() as never;

describe('createObjectWriter', () => {
  let parts: Buffer[];
  beforeEach(() => {
    parts = [];
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCommand).callsFake((input: { Body: Uint8Array; PartNumber: number }) => {
      parts.push(Buffer.from(input.Body));
      return { ETag: `"etag-${input.PartNumber}"` };
    });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
  });
  afterEach(() => s3.reset());

  it('writes a small object with one PutObject and no multipart upload', async () => {
    // Prepare
    const writer = createObjectWriter(ref, 'application/x-ndjson');

    // Act
    await writer.write('{"a":1}\n');
    await writer.write('{"b":"–"}\n');
    const size = await writer.end();

    // Assess: '{"a":1}\n' is 8 bytes; '{"b":"–"}\n' is 9 ASCII bytes + 3 for "–" = 12; 20 in all.
    expect(size).toBe(20);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(Buffer.from(put?.args[0].input.Body as Uint8Array).toString('utf8')).toBe(
      '{"a":1}\n{"b":"–"}\n',
    );
    expect(put?.args[0].input.ContentType).toBe('application/x-ndjson');
  });

  it('splits a large object into full parts of the part size, bytes in order', async () => {
    // Prepare: 120,000 lines of 100 bytes = 12,000,000 bytes; parts of 5 MiB (5,242,880 bytes)
    // → two full parts and a last one of 12,000,000 − 2 × 5,242,880 = 1,514,240 bytes.
    const writer = createObjectWriter(ref, 'application/x-ndjson', 5 * MiB);
    const line = (i: number) => `${String(i).padStart(99, '0')}\n`;

    // Act
    for (let i = 0; i < 120_000; i += 1) await writer.write(line(i));
    const size = await writer.end();

    // Assess
    expect(size).toBe(12_000_000);
    expect(parts.map((part) => part.length)).toEqual([5 * MiB, 5 * MiB, 1_514_240]);
    const whole = Buffer.concat(parts).toString('utf8');
    expect(whole.slice(0, 100)).toBe(line(0));
    expect(whole.slice(52_428 * 100, 52_429 * 100)).toBe(line(52_428));
    expect(whole.endsWith(line(119_999))).toBe(true);
    const [complete] = s3.commandCalls(CompleteMultipartUploadCommand);
    expect(complete?.args[0].input.MultipartUpload?.Parts).toEqual([
      { ETag: '"etag-1"', PartNumber: 1 },
      { ETag: '"etag-2"', PartNumber: 2 },
      { ETag: '"etag-3"', PartNumber: 3 },
    ]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('splits one text longer than a part across parts', async () => {
    // Prepare: 6 MiB of 'x' then 1 byte; parts of 5 MiB → 5 MiB, then 1 MiB + 1 byte.
    const writer = createObjectWriter(ref, 'text/plain', 5 * MiB);

    // Act
    await writer.write('x'.repeat(6 * MiB));
    await writer.write('y');
    await writer.end();

    // Assess
    expect(parts.map((part) => part.length)).toEqual([5 * MiB, MiB + 1]);
    expect(parts[1]?.subarray(-2).toString()).toBe('xy');
  });

  it('aborts the multipart upload it started', async () => {
    // Prepare: one full part uploaded, then the caller fails.
    s3.on(AbortMultipartUploadCommand).resolves({});
    const writer = createObjectWriter(ref, 'text/plain', 5 * MiB);
    await writer.write('x'.repeat(5 * MiB + 10));

    // Act
    await writer.abort();

    // Assess
    const [abort] = s3.commandCalls(AbortMultipartUploadCommand);
    expect(abort?.args[0].input).toEqual({ Bucket: 'b', Key: ref.key, UploadId: 'up-1' });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });
});

describe('writeStreamed', () => {
  beforeEach(() => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    s3.on(UploadPartCommand).resolves({ ETag: '"etag"' });
    s3.on(CompleteMultipartUploadCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
  });
  afterEach(() => s3.reset());

  it('completes the object once the filler returns', async () => {
    const size = await writeStreamed(ref, 'text/plain', async (write) => {
      await write('a\n');
      await write('b\n');
    });

    expect(size).toBe(4);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('discards the parts and rethrows the filler error, even when the abort fails too', async () => {
    // Prepare: a full part is uploaded before the filler fails; the abort fails as well
    s3.on(AbortMultipartUploadCommand).rejects(new Error('abort failed'));
    const failure = new Error('enrichment failed');

    // Act
    const written = writeStreamed(ref, 'text/plain', async (write) => {
      await write('x'.repeat(8 * MiB + 10));
      throw failure;
    });

    // Assess: the caller sees its own error; the abort was attempted; nothing completed
    await expect(written).rejects.toBe(failure);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });
});

describe('readLines / readNdjson', () => {
  afterEach(() => s3.reset());

  it('yields whole lines across stream chunks, multi-byte characters split included', async () => {
    // Prepare: '{"x":"–"}\n\n{"y":2}' cut inside the 3-byte "–" and inside the second line; the
    // empty line is skipped and the last line has no newline.
    const bytes = Buffer.from('{"x":"–"}\n\n{"y":2}', 'utf8');
    s3.on(GetObjectCommand).resolves({
      Body: bodyOf([bytes.subarray(0, 7), bytes.subarray(7, 14), bytes.subarray(14)]),
    });

    // Act
    const lines: string[] = [];
    for await (const line of readLines(ref)) lines.push(line);
    s3.on(GetObjectCommand).resolves({ Body: bodyOf([bytes.subarray(0, 7), bytes.subarray(7)]) });
    const values: unknown[] = [];
    for await (const value of readNdjson(ref)) values.push(value);

    // Assess
    expect(lines).toEqual(['{"x":"–"}', '{"y":2}']);
    expect(values).toEqual([{ x: '–' }, { y: 2 }]);
  });
});
