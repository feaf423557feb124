import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The tables of the {@link Store}. */
export type StoreTable = 'submissions' | 'aggregates' | 'alerts' | 'allocations';

/** Name of the Submissions table's index by trust and arrival time. */
export const SUBMISSIONS_BY_TRUST_INDEX = 'byTrust';

/** Properties of {@link Store}. */
export interface StoreProps {
  /** Customer-managed key for all the tables. */
  readonly encryptionKey: kms.IKey;
  /**
   * What happens to the tables when they leave the stack. Deletion protection is on either way.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

// Exact actions rather than CDK's grantReadData/grantReadWriteData, which add wildcards
// (kms:GenerateDataKey*, kms:ReEncrypt*) and index/* that these tables do not need.
const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * The platform's DynamoDB tables (on-demand, point-in-time recovery, customer-managed key,
 * deletion protection). They hold submission metadata and aggregates, never patient rows.
 */
export class Store extends Construct {
  /** Submissions: `submissionId`; index `byTrust` (`trust`, `receivedAt`). */
  readonly submissions: dynamodb.TableV2;
  /** Aggregates: `pk` = `cwt#{YYYY-MM}`, `sk` = `CURRENT#{ODS}` or `SUB#{submissionId}#{standard}`. */
  readonly aggregates: dynamodb.TableV2;
  /** Alerts raised by the standards evaluation: `pk`, `sk`. */
  readonly alerts: dynamodb.TableV2;
  /** Funding allocations as decided, kept for audit: `allocationId`. */
  readonly allocations: dynamodb.TableV2;
  /** Key that encrypts the tables. */
  readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: StoreProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const common = {
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.encryptionKey),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    };

    this.submissions = new dynamodb.TableV2(this, 'Submissions', {
      ...common,
      partitionKey: { name: 'submissionId', type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: SUBMISSIONS_BY_TRUST_INDEX,
          partitionKey: { name: 'trust', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'receivedAt', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
    });
    this.aggregates = new dynamodb.TableV2(this, 'Aggregates', {
      ...common,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });
    this.alerts = new dynamodb.TableV2(this, 'Alerts', {
      ...common,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    });
    this.allocations = new dynamodb.TableV2(this, 'Allocations', {
      ...common,
      partitionKey: { name: 'allocationId', type: dynamodb.AttributeType.STRING },
    });
  }

  /** The table behind a name. */
  table(name: StoreTable): dynamodb.TableV2 {
    return this[name];
  }

  /** Lets a principal read items of one table (and query its indexes). */
  grantRead(grantee: iam.IGrantable, name: StoreTable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: READ_ACTIONS,
      resourceArns: this.tableArns(name),
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: KEY_READ_ACTIONS,
        resourceArns: [this.encryptionKey.keyArn],
        conditions: this.viaDynamoDb(),
      }),
    );
  }

  /** Lets a principal read, write and delete items of one table. */
  grantReadWrite(grantee: iam.IGrantable, name: StoreTable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...READ_ACTIONS, ...WRITE_ACTIONS],
      resourceArns: this.tableArns(name),
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS],
        resourceArns: [this.encryptionKey.keyArn],
        conditions: this.viaDynamoDb(),
      }),
    );
  }

  /**
   * Lets a principal read items and add new ones, but never change or delete them (an
   * append-only record such as the funding allocations).
   */
  grantReadAppend(grantee: iam.IGrantable, name: StoreTable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...READ_ACTIONS, 'dynamodb:PutItem'],
      resourceArns: this.tableArns(name),
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS],
        resourceArns: [this.encryptionKey.keyArn],
        conditions: this.viaDynamoDb(),
      }),
    );
  }

  /** Restricts key use to requests DynamoDB makes on the caller's behalf. */
  private viaDynamoDb(): Record<string, Record<string, unknown>> {
    return {
      StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
    };
  }

  private tableArns(name: StoreTable): string[] {
    const table = this.table(name);
    return name === 'submissions'
      ? [table.tableArn, `${table.tableArn}/index/${SUBMISSIONS_BY_TRUST_INDEX}`]
      : [table.tableArn];
  }
}
