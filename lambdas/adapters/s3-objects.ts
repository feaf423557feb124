import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { s3Client } from './clients';

/**
 * The only module that talks to S3. Objects are read as streams (files can be large) and the
 * intermediate artefacts the steps hand to each other are written whole: each is bounded by the
 * chunk size.
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
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of await readObjectStream(ref)) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.length > 0) yield JSON.parse(line) as T;
      newline = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending.length > 0) yield JSON.parse(pending) as T;
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
