import '../../../lib/local/polyfills';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { AlertSink } from '../../../lib/local/alerts-sink';
import type { JsonValue } from '../../../lib/local/asl';
import type { FunctionRegistry } from '../../../lib/local/functions';
import { loadStateMachine } from '../../../lib/local/state-machine';
import { TemplateResolver } from '../../../lib/local/template';

/**
 * The Distributed Map emulation on machines without tasks (items from the input, Pass/Choice/
 * Fail processors), so tolerance, ItemSelector and ItemBatcher are checked through the real
 * interpreter without any server.
 */
function machineWith(mapState: Record<string, unknown>) {
  const definition = { StartAt: 'Fan out', States: { 'Fan out': mapState } };
  const template = {
    Resources: {
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { DefinitionString: JSON.stringify(definition) },
      },
    },
  };
  const unused = {} as unknown;
  return loadStateMachine(new TemplateResolver(template, { region: 'eu-west-2' }), 'Machine', {
    functions: { functions: [], find: () => undefined } as unknown as FunctionRegistry,
    alerts: unused as AlertSink,
    dynamo: unused as DynamoDBClient,
    s3: unused as S3Client,
    log: () => {},
    onChildEvent: () => {},
  });
}

const processor = {
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.bad', BooleanEquals: true, Next: 'Broken' }],
      Default: 'Echo',
    },
    Echo: { Type: 'Pass', End: true },
    Broken: { Type: 'Fail', Error: 'ItemBroken' },
  },
};

const selectingMap = {
  Type: 'Map',
  ItemsPath: '$.items',
  ItemProcessor: processor,
  ItemSelector: {
    'value.$': '$$.Map.Item.Value.v',
    'bad.$': '$$.Map.Item.Value.bad',
    'index.$': '$$.Map.Item.Index',
    'label.$': '$.label',
  },
  ToleratedFailurePercentage: 10,
  MaxConcurrency: 3,
  ResultPath: '$.results',
  End: true,
};

const itemsWithBad = (bad: number[]) =>
  Array.from({ length: 10 }, (_, v) => ({ v, bad: bad.includes(v) }));

const run = (machine: ReturnType<typeof machineWith>, input: JsonValue) =>
  machine.start(input, { name: 'test', arn: 'arn:aws:states:eu-west-2:0:execution:Machine:test' })
    .result;

describe('Distributed Map emulation', () => {
  it('applies ItemSelector per item and tolerates failures up to the percentage', async () => {
    // Prepare: 1 of 10 items fails = 10 %, which does not exceed ToleratedFailurePercentage 10
    const machine = machineWith(selectingMap);

    // Act
    const output = (await run(machine, { label: 'L', items: itemsWithBad([3]) })) as {
      results: unknown[];
    };

    // Assess
    expect(output.results).toHaveLength(10);
    expect(output.results[0]).toEqual({ value: 0, bad: false, index: 0, label: 'L' });
    expect(output.results[9]).toEqual({ value: 9, bad: false, index: 9, label: 'L' });
    expect(output.results[3]).toMatchObject({ Error: 'ItemBroken' });
  });

  it('fails with States.ExceedToleratedFailureThreshold past the percentage', async () => {
    // Prepare: 2 of 10 = 20 % > 10 %
    const machine = machineWith(selectingMap);

    // Act
    const result = run(machine, { label: 'L', items: itemsWithBad([3, 7]) });

    // Assess
    await expect(result).rejects.toMatchObject({
      cause: { name: 'States.ExceedToleratedFailureThreshold' },
    });
  });

  it('batches items with ItemBatcher and BatchInput', async () => {
    // Prepare: 10 items in batches of at most 4 → 4, 4, 2
    const machine = machineWith({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { ...processor, StartAt: 'Echo' },
      ItemBatcher: { MaxItemsPerBatch: 4, BatchInput: { 'label.$': '$.label' } },
      End: true,
    });

    // Act
    const output = (await run(machine, { label: 'B', items: itemsWithBad([]) })) as Array<{
      Items: unknown[];
      BatchInput: unknown;
    }>;

    // Assess
    expect(output.map((batch) => batch.Items.length)).toEqual([4, 4, 2]);
    expect(output[2]).toEqual({
      BatchInput: { label: 'B' },
      Items: [
        { v: 8, bad: false },
        { v: 9, bad: false },
      ],
    });
  });
});
