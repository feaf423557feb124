/**
 * CloudFormation template model and intrinsic-function resolver for the local runtime.
 * Every local resource name is derived from its logical id, so a template resolves to the same
 * names on every run (persisted data stays addressable across restarts).
 */

export type CfnValue = unknown;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  Metadata?: Record<string, CfnValue>;
  Condition?: string;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Parameters?: Record<string, { Type?: string; Default?: CfnValue }>;
  Conditions?: Record<string, CfnValue>;
  Mappings?: Record<string, Record<string, Record<string, CfnValue>>>;
  Outputs?: Record<string, CfnValue>;
}

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_PARTITION = 'aws';

export class TemplateError extends Error {
  readonly code = 'LOCAL_TEMPLATE_UNRESOLVABLE';
  override name = 'TemplateError';
}

/** Marker for `Ref: AWS::NoValue`: the property or list element disappears. */
const NO_VALUE = Symbol('AWS::NoValue');

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Resource types whose `Ref` is their ARN rather than their name. */
const REF_IS_ARN = new Set(['AWS::SNS::Topic', 'AWS::StepFunctions::StateMachine']);

export class TemplateResolver {
  readonly region: string;
  readonly accountId = LOCAL_ACCOUNT_ID;
  readonly partition = LOCAL_PARTITION;
  readonly stackName: string;
  private readonly resources: Record<string, CfnResource>;
  private readonly conditionCache = new Map<string, boolean>();

  constructor(
    readonly template: CfnTemplate,
    options: { region: string; stackName?: string },
  ) {
    this.region = options.region;
    this.stackName = options.stackName ?? 'local';
    this.resources = template.Resources ?? {};
  }

  /** Resources of one type whose `Condition` (if any) holds, in template order. */
  resourcesOfType(type: string): Array<[string, CfnResource]> {
    return Object.entries(this.resources).filter(
      ([, resource]) =>
        resource.Type === type && (!resource.Condition || this.condition(resource.Condition)),
    );
  }

  resource(logicalId: string): CfnResource {
    const resource = this.resources[logicalId];
    if (!resource) throw new TemplateError(`No resource '${logicalId}' in the template`);
    return resource;
  }

  /** Local physical name: an explicit literal name if the template sets one, else the logical id. */
  physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const props = resource.Properties ?? {};
    const explicit = (key: string): string | undefined =>
      typeof props[key] === 'string' ? (props[key] as string) : undefined;
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return (
          explicit('BucketName') ??
          logicalId
            .toLowerCase()
            .replace(/[^a-z0-9.-]/g, '-')
            .slice(0, 63)
        );
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return explicit('TableName') ?? logicalId;
      case 'AWS::Lambda::Function':
        return explicit('FunctionName') ?? logicalId;
      case 'AWS::SNS::Topic':
        return explicit('TopicName') ?? logicalId;
      case 'AWS::StepFunctions::StateMachine':
        return explicit('StateMachineName') ?? logicalId;
      case 'AWS::Events::Rule':
        return explicit('Name') ?? logicalId;
      case 'AWS::Cognito::UserPool':
        return `${this.region}_${logicalId}`;
      default:
        return logicalId;
    }
  }

  arn(logicalId: string): string {
    const type = this.resource(logicalId).Type;
    const name = this.physicalName(logicalId);
    const { partition: p, region: r, accountId: a } = this;
    switch (type) {
      case 'AWS::S3::Bucket':
        return `arn:${p}:s3:::${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:${p}:lambda:${r}:${a}:function:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:${p}:sns:${r}:${a}:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${p}:states:${r}:${a}:stateMachine:${name}`;
      case 'AWS::Events::Rule':
        return `arn:${p}:events:${r}:${a}:rule/${name}`;
      case 'AWS::IAM::Role':
        return `arn:${p}:iam::${a}:role/${name}`;
      case 'AWS::KMS::Key':
        return `arn:${p}:kms:${r}:${a}:key/${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${p}:logs:${r}:${a}:log-group:${name}:*`;
      case 'AWS::Cognito::UserPool':
        return `arn:${p}:cognito-idp:${r}:${a}:userpool/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:${p}:sqs:${r}:${a}:${name}`;
      default: {
        const [, service = 'unknown', kind = 'resource'] = type.split('::');
        return `arn:${p}:${service.toLowerCase()}:${r}:${a}:${kind.toLowerCase()}/${name}`;
      }
    }
  }

  ref(name: string): CfnValue {
    switch (name) {
      case 'AWS::Partition':
        return this.partition;
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:${this.partition}:cloudformation:${this.region}:${this.accountId}:stack/${this.stackName}/local`;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined) {
        throw new TemplateError(`Parameter '${name}' has no default value`);
      }
      return parameter.Default;
    }
    const type = this.resource(name).Type;
    if (REF_IS_ARN.has(type)) return this.arn(name);
    if (type === 'AWS::SQS::Queue') return this.getAtt(name, 'QueueUrl');
    return this.physicalName(name);
  }

  getAtt(logicalId: string, attribute: string): string {
    const type = this.resource(logicalId).Type;
    const name = this.physicalName(logicalId);
    if (attribute === 'Arn') return this.arn(logicalId);
    const specific: Record<string, Record<string, string>> = {
      'AWS::S3::Bucket': {
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${this.region}.amazonaws.com`,
        WebsiteURL: `http://${name}.s3-website.${this.region}.amazonaws.com`,
      },
      'AWS::DynamoDB::Table': { StreamArn: `${this.arn(logicalId)}/stream/local` },
      'AWS::DynamoDB::GlobalTable': {
        StreamArn: `${this.arn(logicalId)}/stream/local`,
        TableId: name,
      },
      'AWS::SNS::Topic': { TopicArn: this.arn(logicalId), TopicName: name },
      'AWS::StepFunctions::StateMachine': { Name: name },
      'AWS::KMS::Key': { KeyId: name },
      'AWS::IAM::Role': { RoleId: `AROA${logicalId.toUpperCase()}` },
      'AWS::Cognito::UserPool': {
        ProviderName: `cognito-idp.${this.region}.amazonaws.com/${name}`,
        ProviderURL: `https://cognito-idp.${this.region}.amazonaws.com/${name}`,
        UserPoolId: name,
      },
      'AWS::ApiGateway::RestApi': { RootResourceId: rootResourceId(logicalId), RestApiId: name },
      'AWS::SQS::Queue': {
        QueueName: name,
        QueueUrl: `https://sqs.${this.region}.amazonaws.com/${this.accountId}/${name}`,
      },
    };
    return specific[type]?.[attribute] ?? `${name}.${attribute}`;
  }

  condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new TemplateError(`No condition '${name}'`);
    const value = this.evaluateCondition(expression);
    this.conditionCache.set(name, value);
    return value;
  }

  private evaluateCondition(expression: CfnValue): boolean {
    if (typeof expression === 'boolean') return expression;
    if (!isRecord(expression)) throw new TemplateError('Malformed condition');
    const [fn, args] = Object.entries(expression)[0] ?? [];
    const list = Array.isArray(args) ? args : [];
    switch (fn) {
      case 'Condition':
        return this.condition(String(args));
      case 'Fn::Equals':
        return JSON.stringify(this.resolve(list[0])) === JSON.stringify(this.resolve(list[1]));
      case 'Fn::Not':
        return !this.evaluateCondition(list[0]);
      case 'Fn::And':
        return list.every((item) => this.evaluateCondition(item));
      case 'Fn::Or':
        return list.some((item) => this.evaluateCondition(item));
      default:
        throw new TemplateError(`Unsupported condition function '${String(fn)}'`);
    }
  }

  /** Resolves every intrinsic function in a value (deeply). */
  resolve(value: CfnValue): CfnValue {
    const resolved = this.resolveInner(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  resolveString(value: CfnValue): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string' && typeof resolved !== 'number') {
      throw new TemplateError(`Expected a string, got ${JSON.stringify(resolved)}`);
    }
    return String(resolved);
  }

  private resolveInner(value: CfnValue): CfnValue {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolveInner(item)).filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    const only = keys.length === 1 ? keys[0] : undefined;
    if (only === 'Ref') return this.ref(String(value.Ref));
    if (only?.startsWith('Fn::')) return this.intrinsic(only, value[only]);
    const out: Record<string, CfnValue> = {};
    for (const key of keys) {
      const resolved = this.resolveInner(value[key]);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, args: CfnValue): CfnValue {
    const list = (): CfnValue[] => {
      if (!Array.isArray(args)) throw new TemplateError(`${fn} expects a list`);
      return args;
    };
    switch (fn) {
      case 'Fn::GetAtt': {
        const [id, ...attr] = Array.isArray(args) ? args.map(String) : String(args).split('.');
        return this.getAtt(String(id), attr.join('.'));
      }
      case 'Fn::Join': {
        const [delimiter, items] = list();
        const resolved = this.resolveInner(items);
        if (!Array.isArray(resolved)) throw new TemplateError('Fn::Join expects a list');
        return resolved.map((item) => String(item)).join(String(delimiter));
      }
      case 'Fn::Sub':
        return this.sub(args);
      case 'Fn::Select': {
        const [index, items] = list();
        const resolved = this.resolveInner(items);
        if (!Array.isArray(resolved)) throw new TemplateError('Fn::Select expects a list');
        return resolved[Number(this.resolveInner(index))];
      }
      case 'Fn::Split': {
        const [delimiter, source] = list();
        return String(this.resolveInner(source)).split(String(delimiter));
      }
      case 'Fn::If': {
        // only the chosen branch is resolved, so the other may reference absent resources
        const [condition, whenTrue, whenFalse] = list();
        return this.resolveInner(this.condition(String(condition)) ? whenTrue : whenFalse);
      }
      case 'Fn::FindInMap': {
        const [map, first, second] = list().map((item) => String(this.resolveInner(item)));
        const found = this.template.Mappings?.[String(map)]?.[String(first)]?.[String(second)];
        if (found === undefined)
          throw new TemplateError(`Fn::FindInMap: ${map}/${first}/${second}`);
        return found;
      }
      case 'Fn::Base64':
        return Buffer.from(String(this.resolveInner(args))).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.region}${zone}`);
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(args));
      case 'Fn::Length': {
        const resolved = this.resolveInner(args);
        return Array.isArray(resolved) ? resolved.length : 0;
      }
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return this.evaluateCondition({ [fn]: args });
      default:
        throw new TemplateError(`Intrinsic function ${fn} is not supported locally`);
    }
  }

  private sub(args: CfnValue): string {
    const [text, variables] = Array.isArray(args) ? args : [args, {}];
    const vars = isRecord(variables) ? variables : {};
    return String(text).replace(/\$\{([^}]+)\}/g, (whole, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      if (expression in vars) return String(this.resolveInner(vars[expression]));
      const dot = expression.indexOf('.');
      if (dot > 0 && !expression.startsWith('AWS::')) {
        return this.getAtt(expression.slice(0, dot), expression.slice(dot + 1));
      }
      const value = this.ref(expression);
      if (value === NO_VALUE) throw new TemplateError(`Cannot substitute ${whole}`);
      return String(value);
    });
  }
}

/** The id `Fn::GetAtt [RestApi, RootResourceId]` resolves to locally. */
export function rootResourceId(restApiLogicalId: string): string {
  return `${restApiLogicalId}.root`;
}

/** The function name at the end of a Lambda ARN (qualifier dropped), or the input if not an ARN. */
export function functionNameFromArn(nameOrArn: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn.split(':')[0] ?? nameOrArn;
}
