import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
  type Projection,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TemplateResolver } from './template';

export interface Provisioned {
  /** logical id → local bucket name */
  bucketNames: Record<string, string>;
  /** logical id → local table name */
  tableNames: Record<string, string>;
}

interface IndexProperties {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection?: Projection;
}

const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'];

/**
 * Creates every bucket and table the template declares, from the template's own key schemas and
 * indexes, so local storage cannot drift from the deployed shape. Existing ones (persisted data)
 * are left alone; a changed schema is reported, not migrated.
 */
export async function provisionResources(
  resolver: TemplateResolver,
  clients: { s3: S3Client; dynamo: DynamoDBClient },
  log: (line: string) => void,
): Promise<Provisioned> {
  const bucketNames: Record<string, string> = {};
  for (const [logicalId] of resolver.resourcesOfType('AWS::S3::Bucket')) {
    const name = resolver.physicalName(logicalId);
    bucketNames[logicalId] = name;
    if (!(await bucketExists(clients.s3, name))) {
      await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
    }
  }

  const tableNames: Record<string, string> = {};
  for (const type of TABLE_TYPES) {
    for (const [logicalId, resource] of resolver.resourcesOfType(type)) {
      const name = resolver.physicalName(logicalId);
      tableNames[logicalId] = name;
      const input = createTableInput(name, resolver.resolve(resource.Properties ?? {}));
      const existing = await describeTable(clients.dynamo, name);
      if (!existing) {
        await clients.dynamo.send(new CreateTableCommand(input));
      } else if (existing.join(',') !== indexNames(input).join(',')) {
        log(
          `local: table ${name} exists with indexes [${existing.join(', ')}] but the template ` +
            `declares [${indexNames(input).join(', ')}]; delete the data directory to recreate it`,
        );
      }
    }
  }
  return { bucketNames, tableNames };
}

function createTableInput(name: string, properties: unknown): CreateTableCommandInput {
  const props = properties as {
    KeySchema?: KeySchemaElement[];
    AttributeDefinitions?: AttributeDefinition[];
    GlobalSecondaryIndexes?: IndexProperties[];
    LocalSecondaryIndexes?: IndexProperties[];
  };
  if (!props.KeySchema || !props.AttributeDefinitions) {
    throw new Error(`Table ${name}: KeySchema and AttributeDefinitions are required`);
  }
  const index = (i: IndexProperties) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection ?? { ProjectionType: 'ALL' },
  });
  return {
    TableName: name,
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
    ...(props.GlobalSecondaryIndexes?.length
      ? { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes.map(index) }
      : {}),
    ...(props.LocalSecondaryIndexes?.length
      ? { LocalSecondaryIndexes: props.LocalSecondaryIndexes.map(index) }
      : {}),
  };
}

function indexNames(input: CreateTableCommandInput): string[] {
  return [...(input.GlobalSecondaryIndexes ?? []), ...(input.LocalSecondaryIndexes ?? [])]
    .map((i) => i.IndexName ?? '')
    .sort();
}

async function bucketExists(s3: S3Client, name: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    throw error;
  }
}

/** Index names of an existing table, or undefined when the table does not exist. */
async function describeTable(dynamo: DynamoDBClient, name: string): Promise<string[] | undefined> {
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    return [...(Table?.GlobalSecondaryIndexes ?? []), ...(Table?.LocalSecondaryIndexes ?? [])]
      .map((i) => i.IndexName ?? '')
      .sort();
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
