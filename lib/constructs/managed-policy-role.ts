import * as iam from 'aws-cdk-lib/aws-iam';

/** Id of the customer-managed policy a {@link ManagedPolicyRole} keeps its grants in. */
export const GRANTS_POLICY_ID = 'Grants';

/**
 * An IAM role whose grants go into one customer-managed policy (`AWS::IAM::ManagedPolicy`)
 * instead of the inline `DefaultPolicy` CDK would create. Managed policies are versioned (a bad
 * change can be rolled back to the previous version) and show up in IAM's policy views and
 * Access Analyzer on their own, which is why the HIPAA and NIST 800-53 packs reject inline
 * policies (IAMNoInlinePolicy).
 *
 * The policy lists this role in its `Roles` rather than the role listing the policy in
 * `ManagedPolicyArns`: the policy depends on the role, never the other way round, so a grant that
 * names a resource which itself depends on the role (a state machine allowed to start its own
 * executions) cannot form a dependency cycle, exactly as with the default inline policy. The
 * policy is a child of the role, so whatever depends on the role depends on its grants too.
 *
 * Managed policies are capped at 6,144 characters; test/infra/least-privilege.test.ts keeps
 * every one well under it.
 */
export class ManagedPolicyRole extends iam.Role {
  private grantsManagedPolicy?: iam.ManagedPolicy;

  /** The customer-managed policy holding every statement added to the role (after the first). */
  get grantsPolicy(): iam.ManagedPolicy | undefined {
    return this.grantsManagedPolicy;
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.grantsManagedPolicy) {
      this.grantsManagedPolicy = new iam.ManagedPolicy(this, GRANTS_POLICY_ID, {
        description: `Grants of ${this.node.path}`,
        roles: [this],
      });
    }
    this.grantsManagedPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.grantsManagedPolicy };
  }
}
