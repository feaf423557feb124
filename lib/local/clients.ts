import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

export interface LocalEndpoints {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  region: string;
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * Clients for the local servers with explicit endpoints, so they never depend on process env:
 * the runtime's own, the CLI's, the demo loader's, the tests' and the benchmarks'. Path-style
 * addressing and "checksums only when required" are what s3rver needs (findings §6).
 */
export function localS3Client(endpoints: Pick<LocalEndpoints, 's3Endpoint' | 'region'>): S3Client {
  return new S3Client({
    endpoint: endpoints.s3Endpoint,
    region: endpoints.region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function localDynamoClient(endpoints: LocalEndpoints): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: endpoints.dynamodbEndpoint,
    region: endpoints.region,
    credentials,
  });
}
