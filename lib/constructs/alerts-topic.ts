import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Properties of {@link AlertsTopic}. */
export interface AlertsTopicProps {
  /** Customer-managed key that encrypts messages at rest. */
  readonly encryptionKey: kms.IKey;
  /**
   * Address subscribed to every alert (breaches, rejected files, failed runs). AWS sends it a
   * confirmation mail first.
   *
   * @default - no subscription; subscribe later in the console or with the CLI
   */
  readonly alertEmail?: string;
}

/** The SNS topic the workflow publishes alerts to (rejections, breaches, failures). */
export class AlertsTopic extends Construct {
  /** The alerts topic. */
  readonly topic: sns.Topic;
  /** Key that encrypts the topic. */
  readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Cancer waiting-times alerts',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    if (props.alertEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));
    }
  }

  /**
   * Lets a principal publish, including the key use an encrypted topic requires of publishers,
   * and only through SNS: the key cannot be used directly.
   */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sns:Publish'],
      resourceArns: [this.topic.topicArn],
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resourceArns: [this.encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }
}
