import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One home for AWS SDK clients. They are created on first use, not at import, so the local
 * runtime and tests can point the SDK at loopback servers (AWS_ENDPOINT_URL_*) before any client
 * exists.
 */

let s3: S3Client | undefined;
let presignS3: S3Client | undefined;
let documents: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;

export function s3Client(): S3Client {
  if (!s3) {
    // SDK v3 has no environment switch for path-style addressing; S3-API servers on loopback
    // (and any endpoint override) need it, real S3 in the cloud does not.
    const endpointOverride = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    s3 = new S3Client({ forcePathStyle: Boolean(endpointOverride) });
  }
  return s3;
}

/**
 * S3 client for presigning upload URLs. Checksums only when required: by default the SDK puts
 * the CRC32 of the (absent) body into a presigned PutObject URL, and S3 then refuses every real
 * file sent to it.
 */
export function presignS3Client(): S3Client {
  if (!presignS3) {
    const endpointOverride = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    presignS3 = new S3Client({
      forcePathStyle: Boolean(endpointOverride),
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  }
  return presignS3;
}

export function documentClient(): DynamoDBDocumentClient {
  if (!documents) {
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return documents;
}

/** Step Functions (the replay API starts executions); AWS_ENDPOINT_URL_SFN points it locally. */
export function sfnClient(): SFNClient {
  if (!sfn) sfn = new SFNClient({});
  return sfn;
}

/** Forget cached clients (tests that change endpoints between cases). */
export function resetClients(): void {
  s3 = undefined;
  presignS3 = undefined;
  documents = undefined;
  sfn = undefined;
}
