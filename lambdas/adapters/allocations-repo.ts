import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AllocationDocument } from '../core/funding-document';
import { documentClient } from './clients';

/**
 * Saved funding allocations, one item per decision: `allocationId` plus a few attributes to
 * read at a glance and the whole document as JSON text (kept byte for byte as returned, so an
 * audit reads exactly what the caller saw). Items are written once and never changed.
 */
export class AllocationsRepository {
  constructor(private readonly table: string) {}

  /** Saves a new allocation; an id that already exists is never overwritten. */
  async create(document: AllocationDocument): Promise<void> {
    await documentClient().send(
      new PutCommand({
        TableName: this.table,
        Item: {
          allocationId: document.allocationId,
          createdAt: document.createdAt,
          createdBy: document.createdBy,
          unit: document.parameters.unit,
          budget: document.parameters.budget,
          label: document.label ?? undefined,
          document: JSON.stringify(document),
        },
        ConditionExpression: 'attribute_not_exists(allocationId)',
      }),
    );
  }

  async get(allocationId: string): Promise<AllocationDocument | undefined> {
    const response = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { allocationId }, ConsistentRead: true }),
    );
    const text = response.Item?.document;
    return typeof text === 'string' ? (JSON.parse(text) as AllocationDocument) : undefined;
  }
}
