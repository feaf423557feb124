import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

export interface LocalEndpoints {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  region: string;
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The runtime's own clients: explicit endpoints, so they never depend on process env. */
export function localS3Client(endpoints: LocalEndpoints): S3Client {
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
