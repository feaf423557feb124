import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from './managed-policy-role';

/**
 * Top-level prefixes of the upload bucket. Only `uploads/` starts workflows; the others are
 * written by the workflow itself.
 */
export type BucketArea = 'uploads' | 'staging' | 'reports' | 'quarantine';

/** A principal holding object rights under one area of the bucket. */
export interface AreaGrant {
  readonly principal: iam.IPrincipal;
  readonly area: BucketArea;
}

/** Properties of {@link UploadBucket}. */
export interface UploadBucketProps {
  /** Customer-managed key for objects in the upload bucket (SSE-KMS with an S3 bucket key). */
  readonly encryptionKey: kms.IKey;
  /** ODS codes of the trusts that upload; each gets its own upload role. */
  readonly trusts: readonly string[];
  /**
   * Who may assume each trust's upload role, by ODS code. A trust without an entry falls back to
   * the default.
   *
   * @default - the account root: any IAM identity of this account that is itself allowed
   * `sts:AssumeRole` on the role
   */
  readonly uploadPrincipals?: Readonly<Record<string, iam.IPrincipal>>;
  /**
   * What happens to the buckets when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The one bucket trusts upload into (`uploads/{ODS}/…`) and the workflow works in (`staging/`,
 * `reports/`, `quarantine/`), with its server-access-log bucket and one upload role per trust.
 * Object-created events go to EventBridge; the ingest workflow owns the rule.
 */
export class UploadBucket extends Construct {
  /** The upload bucket. */
  readonly bucket: s3.Bucket;
  /** Receives the upload bucket's server access logs (SSE-S3: S3 log delivery cannot use KMS). */
  readonly accessLogBucket: s3.Bucket;
  /** Key that encrypts the upload bucket's objects. */
  readonly encryptionKey: kms.IKey;
  /** Upload role of each trust, by ODS code: `s3:PutObject` under `uploads/{ODS}/` only. */
  readonly uploadRoles: ReadonlyMap<string, ManagedPolicyRole>;
  private readonly areaGrants: AreaGrant[] = [];

  constructor(scope: Construct, id: string, props: UploadBucketProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey;

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(400),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'uploads-bucket/',
      eventBridgeEnabled: true,
      removalPolicy,
      lifecycleRules: [
        // Intermediate artefacts only live as long as a workflow run needs them.
        { id: 'expire-staging', prefix: 'staging/', expiration: Duration.days(7) },
        // Reports and quarantined files are kept for a year's look-back plus a month.
        { id: 'expire-reports', prefix: 'reports/', expiration: Duration.days(400) },
        { id: 'expire-quarantine', prefix: 'quarantine/', expiration: Duration.days(400) },
        {
          id: 'tidy-versions',
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
      ],
    });

    const roles = new Map<string, ManagedPolicyRole>();
    for (const ods of props.trusts) {
      const role = new ManagedPolicyRole(this, `TrustUploadRole-${ods}`, {
        assumedBy: props.uploadPrincipals?.[ods] ?? new iam.AccountRootPrincipal(),
        description: `Upload role of trust ${ods}: put objects under uploads/${ods}/ only`,
        maxSessionDuration: Duration.hours(1),
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'PutOwnUploads',
          actions: ['s3:PutObject'],
          resources: [this.bucket.arnForObjects(`uploads/${ods}/*`)],
        }),
      );
      // kms:Decrypt too: S3 decrypts the parts of a multipart upload (the AWS CLI switches to
      // multipart above 8 MB) before it completes it; the trust still cannot read any object.
      this.grantKey(role, ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt']);
      roles.set(ods, role);
    }
    this.uploadRoles = roles;
  }

  /**
   * Lets a principal read objects under one area, and list that area (so a missing object reads
   * as NoSuchKey rather than AccessDenied).
   */
  grantReadArea(grantee: iam.IGrantable, area: BucketArea): iam.Grant {
    this.recordAreaGrant(grantee, area);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${area}/*`)],
    })
      .combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['s3:ListBucket'],
          resourceArns: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${area}/*`] } },
        }),
      )
      .combine(this.grantKey(grantee, ['kms:Decrypt']));
  }

  /**
   * Lets a principal write objects under one area, multipart uploads included (S3 decrypts the
   * parts of a multipart upload before it completes it, hence kms:Decrypt).
   */
  grantWriteArea(grantee: iam.IGrantable, area: BucketArea): iam.Grant {
    this.recordAreaGrant(grantee, area);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resourceArns: [this.bucket.arnForObjects(`${area}/*`)],
    }).combine(this.grantKey(grantee, ['kms:GenerateDataKey', 'kms:Decrypt']));
  }

  /**
   * Lets a principal sign presigned PUT URLs for trust uploads: `s3:PutObject` under `uploads/`
   * and nothing else (no read, list, delete or multipart), plus the key use S3 needs to encrypt a
   * single PUT. A presigned URL carries its signer's rights, so the signer (the upload API)
   * holds no more than the URLs it hands out may need; it keeps each caller to their own
   * trust's prefix itself.
   */
  grantPresignedUpload(grantee: iam.IGrantable): iam.Grant {
    this.recordAreaGrant(grantee, 'uploads');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects('uploads/*')],
    }).combine(this.grantKey(grantee, ['kms:GenerateDataKey']));
  }

  /** Lets a principal delete objects under one area (in this versioned bucket: add a delete marker). */
  grantDeleteArea(grantee: iam.IGrantable, area: BucketArea): iam.Grant {
    this.recordAreaGrant(grantee, area);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(`${area}/*`)],
    });
  }

  /**
   * Every principal granted object rights through the `grant*Area` methods, with the area, once
   * per pair. Object rights are prefix wildcards (`{area}/*`); reviews and the cdk-nag
   * acknowledgements list them from here rather than from a second, hand-kept list.
   */
  grantedAreas(): readonly AreaGrant[] {
    return this.areaGrants;
  }

  private recordAreaGrant(grantee: iam.IGrantable, area: BucketArea): void {
    const known = this.areaGrants.some(
      (grant) => grant.principal === grantee.grantPrincipal && grant.area === area,
    );
    if (!known) this.areaGrants.push({ principal: grantee.grantPrincipal, area });
  }

  private grantKey(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.encryptionKey.keyArn],
      conditions: this.viaS3(),
    });
  }

  /** Restricts key use to requests S3 makes on the caller's behalf: no direct use of the key. */
  private viaS3(): Record<string, Record<string, unknown>> {
    return { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } };
  }
}
