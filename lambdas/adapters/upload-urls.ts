import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { presignS3Client } from './clients';

/** A presigned S3 PUT: where to send the file, and the headers it must be sent with. */
export interface PresignedPut {
  readonly url: string;
  readonly method: 'PUT';
  /** Headers that are part of the signature: sending other values makes S3 refuse the PUT. */
  readonly headers: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

/**
 * Signs a PUT of exactly `sizeBytes` bytes to one key. Content-Length is a signed header, so S3
 * refuses a body of any other size; the object is encrypted by the bucket's default encryption
 * (SSE-KMS with the platform key), which the bucket policy does not require the client to ask
 * for. The URL dies when it expires or when the signing credentials do (a Lambda role's session
 * can end first), whichever is sooner; `expiresAt` reports the earlier of the two.
 */
export async function presignPut(options: {
  bucket: string;
  key: string;
  sizeBytes: number;
  ttlSeconds: number;
  now?: Date;
}): Promise<PresignedPut> {
  const client = presignS3Client();
  // SigV4 dates have whole seconds, and the URL expires `ttlSeconds` after the signed date.
  const signedAt = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const url = await getSignedUrl(
    client,
    new PutObjectCommand({
      Bucket: options.bucket,
      Key: options.key,
      ContentLength: options.sizeBytes,
    }),
    { expiresIn: options.ttlSeconds, signingDate: signedAt },
  );
  let expiresAt = new Date(signedAt.getTime() + options.ttlSeconds * 1000);
  const credentials = await client.config.credentials();
  if (credentials.expiration && credentials.expiration < expiresAt) {
    expiresAt = credentials.expiration;
  }
  return {
    url,
    method: 'PUT',
    headers: { 'content-length': String(options.sizeBytes) },
    expiresAt,
  };
}
