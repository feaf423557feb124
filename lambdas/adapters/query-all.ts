import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './clients';

/**
 * Every item a Query matches, following LastEvaluatedKey: DynamoDB returns at most 1 MB a page,
 * and a partition (a month of contributions or alerts) can pass that.
 */
export async function queryAll(
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const response = await documentClient().send(
      new QueryCommand({ ...input, ExclusiveStartKey: startKey }),
    );
    items.push(...((response.Items ?? []) as Record<string, unknown>[]));
    startKey = response.LastEvaluatedKey;
  } while (startKey);
  return items;
}
