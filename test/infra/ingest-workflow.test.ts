import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeAlliance } from '../../lib/synth';
import {
  type AslState,
  allowedPairs,
  allStates,
  environmentOf,
  functionByHandler,
  type Json,
  logicalIdOf,
  onlyResourceOfType,
  onlyResourceOfTypeIn,
  props,
  render,
  roleStatements,
  type StateMachineDefinition,
  stateMachineDefinition,
  type Template,
} from './helpers/template';

let template: Template;
let definition: StateMachineDefinition;
let states: Map<string, AslState>;

function state(name: string): AslState {
  const found = states.get(name);
  if (!found) throw new Error(`no state ${name}`);
  return found;
}

/** `{"Fn::GetAtt": ["<id>", "Arn"]}` as the definition carries it, for a handler file. */
function functionArnToken(entry: string): string {
  const [id] = functionByHandler(template, entry);
  return JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
}

beforeAll(() => {
  ({ template } = synthesizeAlliance());
  definition = stateMachineDefinition(template, 'Ingest');
  states = allStates(definition);
});

describe('ingest state machine definition', () => {
  it('has exactly the states of the contract, each name once', () => {
    // Prepare: the state names listed in the contract, steps 1-9 plus the failure path.
    const expected = [
      'Register',
      'Already processed?',
      'Duplicate delivery',
      'Validate',
      'Rejected?',
      'Quarantine',
      'Notify trust of rejection',
      'Rejected',
      'Large file?',
      'Process chunks',
      'Enrich chunk',
      'Summarise chunk',
      'Enrich',
      'Summarise',
      'Aggregate',
      'Evaluate standards',
      'Publish alerts',
      'Publish alert',
      'Complete',
      'Accepted',
      'Mark failed',
      'Notify failure',
      'Failed',
    ];

    // Assess
    expect(definition.StartAt).toBe('Register');
    expect([...states.keys()].sort()).toEqual([...expected].sort());
  });

  it('routes duplicates, rejections and large files with the contract conditions', () => {
    // Assess
    expect(state('Register').Next).toBe('Already processed?');
    expect(state('Already processed?')).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.submission.duplicate', BooleanEquals: true, Next: 'Duplicate delivery' },
      ],
      Default: 'Validate',
    });
    expect(state('Duplicate delivery').Type).toBe('Succeed');
    expect(state('Validate').Next).toBe('Rejected?');
    expect(state('Rejected?')).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.validation.status', StringEquals: 'REJECTED', Next: 'Quarantine' }],
      Default: 'Large file?',
    });
    expect(state('Large file?')).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.validation.chunked', BooleanEquals: true, Next: 'Process chunks' }],
      Default: 'Enrich',
    });
    expect(state('Quarantine').Next).toBe('Notify trust of rejection');
    expect(state('Notify trust of rejection').Next).toBe('Rejected');
    expect(state('Rejected').Type).toBe('Succeed');
    // Both processing branches join at Aggregate, then the tail runs in order.
    expect(state('Process chunks').Next).toBe('Aggregate');
    expect(state('Enrich').Next).toBe('Summarise');
    expect(state('Summarise').Next).toBe('Aggregate');
    expect(state('Aggregate').Next).toBe('Evaluate standards');
    expect(state('Evaluate standards').Next).toBe('Publish alerts');
    expect(state('Publish alerts').Next).toBe('Complete');
    expect(state('Complete').Next).toBe('Accepted');
    expect(state('Accepted').Type).toBe('Succeed');
  });

  it('passes each Lambda step the contract payload and keeps its result at the contract path', () => {
    // Prepare: [state, handler file, what the function receives, resultPath], from the contract.
    // A payload of a whole path is an InputPath (Parameters must be an object).
    const expected: [string, string, Record<string, Json>, string | null][] = [
      ['Register', 'register', { InputPath: '$' }, '$.submission'],
      ['Validate', 'validate', { Parameters: { 'submission.$': '$.submission' } }, '$.validation'],
      [
        'Quarantine',
        'quarantine',
        { Parameters: { 'submission.$': '$.submission', 'validation.$': '$.validation' } },
        '$.quarantine',
      ],
      ['Enrich', 'enrich', { InputPath: '$.validation.firstChunk' }, '$.enrich'],
      ['Summarise', 'summarise', { InputPath: '$.validation.firstChunk' }, null],
      ['Enrich chunk', 'enrich', { InputPath: '$' }, null],
      ['Summarise chunk', 'summarise', { InputPath: '$' }, null],
      [
        'Aggregate',
        'aggregate',
        { Parameters: { 'submission.$': '$.submission', 'validation.$': '$.validation' } },
        '$.aggregate',
      ],
      [
        'Evaluate standards',
        'evaluate',
        { Parameters: { 'submission.$': '$.submission', 'aggregate.$': '$.aggregate' } },
        '$.evaluation',
      ],
      [
        'Complete',
        'complete',
        {
          Parameters: {
            'submission.$': '$.submission',
            'validation.$': '$.validation',
            'aggregate.$': '$.aggregate',
          },
        },
        '$.result',
      ],
      ['Mark failed', 'mark-failed', { InputPath: '$' }, '$.failure'],
    ];

    for (const [name, file, input, resultPath] of expected) {
      const task = state(name);
      // Assess: payloadResponseOnly means the Resource is the function ARN itself.
      expect(task.Type, name).toBe('Task');
      expect(task.Resource, name).toBe(functionArnToken(`lambdas/handlers/${file}.ts`));
      expect(task.ResultPath, name).toBe(resultPath);
      expect({ InputPath: task.InputPath, Parameters: task.Parameters }, name).toEqual({
        InputPath: undefined,
        Parameters: undefined,
        ...input,
      });
    }
  });

  it('publishes rejections, alerts and failures straight to SNS', () => {
    // Prepare
    const [topicId] = onlyResourceOfType(template, 'AWS::SNS::Topic');
    const topic = JSON.stringify({ Ref: topicId });
    const expected: [string, string, string][] = [
      ['Notify trust of rejection', '$.quarantine.alert.subject', '$.quarantine.alert.message'],
      ['Publish alert', '$.subject', '$.message'],
      ['Notify failure', '$.failure.alert.subject', '$.failure.alert.message'],
    ];

    for (const [name, subject, message] of expected) {
      // Assess
      expect(state(name).Resource, name).toMatch(/:states:::sns:publish$/);
      expect(state(name).Parameters, name).toEqual({
        TopicArn: topic,
        'Subject.$': subject,
        'Message.$': message,
      });
    }
    expect(state('Notify trust of rejection').ResultPath).toBeNull();
  });

  it('reads chunks from the S3 JSON manifest in a Distributed Map without an ItemSelector', () => {
    // Prepare
    const [, register] = functionByHandler(template, 'lambdas/handlers/register.ts');
    const bucketId = logicalIdOf(environmentOf(register).BUCKET_NAME);
    const map = state('Process chunks');

    // Assess
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor?.ProcessorConfig).toMatchObject({ Mode: 'DISTRIBUTED' });
    expect(map.ItemProcessor?.StartAt).toBe('Enrich chunk');
    expect(map.ItemProcessor?.States['Enrich chunk']?.Next).toBe('Summarise chunk');
    expect(map.ItemReader).toEqual({
      Resource: `arn:${JSON.stringify({ Ref: 'AWS::Partition' })}:states:::s3:getObject`,
      ReaderConfig: { InputType: 'JSON' },
      Parameters: {
        Bucket: JSON.stringify({ Ref: bucketId }),
        'Key.$': '$.validation.manifestKey',
      },
    });
    expect(map.ItemSelector).toBeUndefined();
    expect(map.MaxConcurrency).toBe(8);
    // CDK leaves out a zero tolerance, which is also the service default.
    expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(map.ResultPath).toBeNull();
  });

  it('publishes alerts from an inline Map over the evaluation, five at a time', () => {
    // Assess
    const map = state('Publish alerts');
    expect(map.ItemsPath).toBe('$.evaluation.alerts');
    expect(map.MaxConcurrency).toBe(5);
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(map.ItemSelector).toBeUndefined();
    expect(map.ResultPath).toBeNull();
  });

  it('retries transient errors on every Lambda step and nowhere else the same way', () => {
    // Prepare: the contract's retry policy.
    const retry = [
      {
        ErrorEquals: [
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.TooManyRequestsException',
          'TransientError',
        ],
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 4,
      },
    ];
    const lambdaTasks = [...states].filter(
      ([, s]) => s.Type === 'Task' && !String(s.Resource).includes(':states:::'),
    );

    // Assess: eleven Lambda tasks (nine steps, two chunk steps).
    expect(lambdaTasks.map(([name]) => name)).toHaveLength(11);
    for (const [name, task] of lambdaTasks) expect(task.Retry, name).toEqual(retry);
  });

  it('catches everything on the contract steps into Mark failed, then alerts and fails', () => {
    // Prepare: the states the contract lists with a Catch.
    const caught = [
      'Register',
      'Validate',
      'Quarantine',
      'Notify trust of rejection',
      'Process chunks',
      'Enrich',
      'Summarise',
      'Aggregate',
      'Evaluate standards',
      'Publish alerts',
      'Complete',
    ];
    const withCatch = [...states].filter(([, s]) => s.Catch).map(([name]) => name);

    // Assess
    expect(withCatch.sort()).toEqual([...caught].sort());
    for (const name of caught) {
      expect(state(name).Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Mark failed' },
      ]);
    }
    expect(state('Mark failed').Next).toBe('Notify failure');
    expect(state('Notify failure').Next).toBe('Failed');
    expect(state('Failed')).toMatchObject({ Type: 'Fail', Error: 'SubmissionFailed' });
  });

  it('retries every SNS publish before a notice or alert is given up', () => {
    // Prepare: the publish tasks, wherever they sit (the alert Map's processor included).
    const publishes = ['Notify failure', 'Notify trust of rejection', 'Publish alert'];

    // Assess
    for (const name of publishes) {
      expect(state(name).Resource, name).toContain(':states:::sns:publish');
      expect(state(name).Retry, name).toEqual([
        { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3 },
      ]);
    }
  });

  it('stays JSONPath-only: no JSONata, Arguments, Assign or variables', () => {
    // Prepare: every key anywhere in the definition.
    const keys = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          keys.add(key);
          walk(inner);
        }
      }
    };
    walk(definition);

    // Assess
    for (const forbidden of ['QueryLanguage', 'Arguments', 'Assign', 'Output']) {
      expect(keys.has(forbidden), forbidden).toBe(false);
    }
    expect(JSON.stringify(definition)).not.toMatch(/JSONata|\{%/);
  });
});

describe('state machine resource', () => {
  it('is a STANDARD workflow with X-Ray and ALL-level logs to an encrypted log group', () => {
    // Prepare
    const [, machine] = onlyResourceOfTypeIn(
      template,
      'AWS::StepFunctions::StateMachine',
      'Ingest',
    );
    const logging = props(machine).LoggingConfiguration as {
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: Json } }[];
      Level: string;
      IncludeExecutionData: boolean;
    };
    const logGroupId = logicalIdOf(logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn);
    const logGroup = (template.Resources as Record<string, { Properties: Record<string, Json> }>)[
      logGroupId
    ];

    // Assess
    expect(props(machine).StateMachineType).toBe('STANDARD');
    expect(props(machine).TracingConfiguration).toEqual({ Enabled: true });
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(false);
    expect(logGroup?.Properties.KmsKeyId).toBeDefined();
  });

  it('may read staging/ objects for the chunk manifest, never uploads/', () => {
    // Prepare
    const [, machine] = onlyResourceOfTypeIn(
      template,
      'AWS::StepFunctions::StateMachine',
      'Ingest',
    );
    const roleId = logicalIdOf(props(machine).RoleArn);
    const pairs = [...allowedPairs(roleStatements(template, roleId))];
    const objectReads = pairs.filter((pair) => pair.startsWith('s3:GetObject on '));

    // Assess
    expect(objectReads).toHaveLength(1);
    expect(objectReads[0]).toMatch(/\.Arn>\/staging\/\*$/);
  });
});

describe('upload trigger', () => {
  it('starts the state machine with the whole Object Created event under uploads/', () => {
    // Prepare
    const [, rule] = onlyResourceOfTypeIn(template, 'AWS::Events::Rule', 'Ingest');
    const [machineId] = onlyResourceOfTypeIn(
      template,
      'AWS::StepFunctions::StateMachine',
      'Ingest',
    );
    const [queueId, queue] = onlyResourceOfType(template, 'AWS::SQS::Queue');
    const [, register] = functionByHandler(template, 'lambdas/handlers/register.ts');
    const bucketRef = environmentOf(register).BUCKET_NAME;
    const target = (props(rule).Targets as Record<string, Json>[])[0] ?? {};

    // Assess
    expect(props(rule).EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [bucketRef] }, object: { key: [{ prefix: 'uploads/' }] } },
    });
    expect(props(rule).Targets).toHaveLength(1);
    expect(render(target.Arn)).toBe(`<${machineId}>`);
    // No Input, InputPath or InputTransformer: the target receives the event itself.
    expect(Object.keys(target).filter((key) => key.startsWith('Input'))).toEqual([]);
    expect(render((target.DeadLetterConfig as Record<string, Json>).Arn)).toBe(`<${queueId}.Arn>`);
    expect(props(queue).SqsManagedSseEnabled).toBe(true);
  });

  it('only accepts TLS on the dead-letter queue', () => {
    // Prepare
    const [, policy] = onlyResourceOfType(template, 'AWS::SQS::QueuePolicy');
    const statements = (props(policy).PolicyDocument as { Statement: Record<string, Json>[] })
      .Statement;

    // Assess
    expect(
      statements.some(
        (statement) =>
          statement.Effect === 'Deny' &&
          JSON.stringify(statement.Condition) ===
            JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      ),
    ).toBe(true);
  });
});
