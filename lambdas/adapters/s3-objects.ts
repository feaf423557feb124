import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { s3Client } from './clients';

/**
 * The only module that talks to S3. Objects are read as streams (files can be large). Small
 * artefacts are written whole; the staged records the steps hand to each other are written
 * through `createObjectWriter`, in parts, so a chunk of records is never one string in memory.
 */

export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/** The object's bytes as a stream of chunks; never the whole file in memory. */
export async function readObjectStream(ref: ObjectRef): Promise<AsyncIterable<Uint8Array>> {
  const response = await s3Client().send(
    new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }),
  );
  const body = response.Body;
  if (!body) return Readable.from([]);
  return body as unknown as AsyncIterable<Uint8Array>;
}

export async function readObjectText(ref: ObjectRef): Promise<string> {
  const response = await s3Client().send(
    new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }),
  );
  return (await response.Body?.transformToString('utf-8')) ?? '';
}

export async function readJson<T>(ref: ObjectRef): Promise<T> {
  return JSON.parse(await readObjectText(ref)) as T;
}

/** Lines of a newline-delimited JSON object, streamed. */
export async function* readNdjson<T>(ref: ObjectRef): AsyncGenerator<T> {
  for await (const line of readLines(ref)) yield JSON.parse(line) as T;
}

/**
 * The non-empty lines of a text object, streamed: only the current stream chunk and the line
 * that straddles two chunks are held.
 */
export async function* readLines(ref: ObjectRef): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of await readObjectStream(ref)) {
    const text = pending + decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (newline > start) yield text.slice(start, newline);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    pending = text.slice(start);
  }
  pending += decoder.decode();
  if (pending.length > 0) yield pending;
}

/** S3's smallest part (except the last) is 5 MiB; 8 MiB keeps part requests few. */
export const DEFAULT_PART_BYTES = 8 * 2 ** 20;
const MIN_PART_BYTES = 5 * 2 ** 20;

/** Writes one object as text appended piece by piece (see `createObjectWriter`). */
export interface ObjectWriter {
  /** Appends text (UTF-8); resolves once any part it filled has been uploaded. */
  write(text: string): Promise<void>;
  /** Uploads what is left and completes the object; returns its size in bytes. */
  end(): Promise<number>;
  /** Discards the parts uploaded so far (call on failure; `end` is then not called). */
  abort(): Promise<void>;
}

/**
 * An object written in parts of `partBytes` (at least 5 MiB), so memory stays at one part
 * whatever the object's size: a multipart upload once the first part is full, a plain PutObject
 * when the whole object fits in one part. Parts are uploaded one at a time, which is the
 * back-pressure: `write` waits while a full part is sent.
 */
export function createObjectWriter(
  ref: ObjectRef,
  contentType: string,
  partBytes: number = DEFAULT_PART_BYTES,
): ObjectWriter {
  const size = Math.max(partBytes, MIN_PART_BYTES);
  let buffer = Buffer.allocUnsafe(size);
  let used = 0;
  let written = 0;
  let uploadId: string | undefined;
  const parts: { ETag: string | undefined; PartNumber: number }[] = [];

  const flushPart = async () => {
    if (uploadId === undefined) {
      const created = await s3Client().send(
        new CreateMultipartUploadCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          ContentType: contentType,
        }),
      );
      uploadId = created.UploadId;
    }
    const partNumber = parts.length + 1;
    const uploaded = await s3Client().send(
      new UploadPartCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: buffer.subarray(0, used),
      }),
    );
    parts.push({ ETag: uploaded.ETag, PartNumber: partNumber });
    written += used;
    // A fresh buffer: the SDK may still hold the previous one's bytes while sending.
    buffer = Buffer.allocUnsafe(size);
    used = 0;
  };

  return {
    async write(text) {
      // Short texts (one record's line) are copied straight into the part; a text longer than
      // the room left is encoded once and split across parts.
      if (text.length * 3 <= size - used) {
        used += buffer.write(text, used, 'utf8');
        return;
      }
      let bytes = Buffer.from(text, 'utf8');
      while (bytes.length > 0) {
        const take = Math.min(bytes.length, size - used);
        bytes.copy(buffer, used, 0, take);
        used += take;
        bytes = bytes.subarray(take);
        if (used === size) await flushPart();
      }
    },
    async end() {
      if (uploadId === undefined) {
        await writeObject(ref, buffer.subarray(0, used), contentType);
        return used;
      }
      if (used > 0) await flushPart();
      await s3Client().send(
        new CompleteMultipartUploadCommand({
          Bucket: ref.bucket,
          Key: ref.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      return written;
    },
    async abort() {
      if (uploadId === undefined) return;
      await s3Client().send(
        new AbortMultipartUploadCommand({ Bucket: ref.bucket, Key: ref.key, UploadId: uploadId }),
      );
    },
  };
}

/**
 * Writes one object piece by piece through `createObjectWriter`: `fill` appends with `write`;
 * the object is completed when it returns, and its parts are discarded if it (or the upload)
 * throws. The original error is the one rethrown — it decides whether the step retries — never
 * an error from discarding the parts.
 */
export async function writeStreamed(
  ref: ObjectRef,
  contentType: string,
  fill: (write: (text: string) => Promise<void>) => Promise<void>,
): Promise<number> {
  const writer = createObjectWriter(ref, contentType);
  try {
    await fill((text) => writer.write(text));
    return await writer.end();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

export async function writeObject(
  ref: ObjectRef,
  body: string | Uint8Array,
  contentType: string,
): Promise<void> {
  await s3Client().send(
    new PutObjectCommand({
      Bucket: ref.bucket,
      Key: ref.key,
      Body: body,
      ContentType: contentType,
    }),
  );
}

export async function writeJson(ref: ObjectRef, value: unknown): Promise<void> {
  await writeObject(ref, JSON.stringify(value), 'application/json');
}

export async function objectExists(ref: ObjectRef): Promise<boolean> {
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export async function copyObject(from: ObjectRef, to: ObjectRef): Promise<void> {
  await s3Client().send(
    new CopyObjectCommand({
      Bucket: to.bucket,
      Key: to.key,
      CopySource: `${from.bucket}/${encodeURIComponent(from.key).replaceAll('%2F', '/')}`,
    }),
  );
}

export async function deleteObject(ref: ObjectRef): Promise<void> {
  await s3Client().send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
}

export function isNotFound(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  const name = (error as { name?: string } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}
