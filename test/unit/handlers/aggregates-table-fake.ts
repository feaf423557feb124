import {
  BatchGetCommand,
  type BatchGetCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;

/**
 * Answers the report API's reads of the Aggregates table from a list of items, as DynamoDB
 * would: GetItem and BatchGetItem by key, Query by `pk` and an optional `begins_with(sk, …)`.
 * (A mock that returned every item to every Query would hand pointers and contributions to
 * reads that can only return one kind.) `items` is read at call time, so a test may change it.
 */
export function serveAggregatesTable(
  dynamo: AwsClientStub<DynamoDBDocumentClient>,
  items: () => readonly Item[],
): void {
  const byKey = (key: Record<string, unknown> | undefined) =>
    items().find((item) => item.pk === key?.pk && item.sk === key?.sk);
  dynamo.on(GetCommand).callsFake((input: GetCommandInput) => {
    const item = byKey(input.Key);
    return item ? { Item: item } : {};
  });
  dynamo.on(BatchGetCommand).callsFake((input: BatchGetCommandInput) => ({
    Responses: Object.fromEntries(
      Object.entries(input.RequestItems ?? {}).map(([table, request]) => [
        table,
        (request.Keys ?? []).map(byKey).filter((item): item is Item => item !== undefined),
      ]),
    ),
  }));
  dynamo.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    const prefix = values[':prefix'] as string | undefined;
    return {
      Items: items().filter(
        (item) =>
          item.pk === values[':pk'] && (prefix === undefined || String(item.sk).startsWith(prefix)),
      ),
    };
  });
}
