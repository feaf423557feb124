import { describe, expect, it } from 'vitest';
import { type CfnTemplate, TemplateError, TemplateResolver } from '../../../lib/local/template';

const template: CfnTemplate = {
  Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Resources: {
    Uploads1A2B: { Type: 'AWS::S3::Bucket' },
    Table9F: { Type: 'AWS::DynamoDB::GlobalTable' },
    Alerts7C: { Type: 'AWS::SNS::Topic' },
    FnAB: { Type: 'AWS::Lambda::Function' },
    Machine01: { Type: 'AWS::StepFunctions::StateMachine' },
    OnlyInProd: { Type: 'AWS::S3::Bucket', Condition: 'IsProd' },
  },
};
const resolver = new TemplateResolver(template, { region: 'eu-west-2' });

describe('TemplateResolver', () => {
  it('names resources after their logical ids (buckets lower-cased)', () => {
    expect(resolver.resolve({ Ref: 'Uploads1A2B' })).toBe('uploads1a2b');
    expect(resolver.resolve({ Ref: 'Table9F' })).toBe('Table9F');
    expect(resolver.resolve({ Ref: 'FnAB' })).toBe('FnAB');
  });

  it('resolves Ref to an ARN where CloudFormation does (topics, state machines)', () => {
    expect(resolver.resolve({ Ref: 'Alerts7C' })).toBe(
      'arn:aws:sns:eu-west-2:000000000000:Alerts7C',
    );
    expect(resolver.resolve({ Ref: 'Machine01' })).toBe(
      'arn:aws:states:eu-west-2:000000000000:stateMachine:Machine01',
    );
  });

  it('builds ARNs per resource type with Fn::GetAtt', () => {
    expect(resolver.resolve({ 'Fn::GetAtt': ['Uploads1A2B', 'Arn'] })).toBe(
      'arn:aws:s3:::uploads1a2b',
    );
    expect(resolver.resolve({ 'Fn::GetAtt': ['Table9F', 'Arn'] })).toBe(
      'arn:aws:dynamodb:eu-west-2:000000000000:table/Table9F',
    );
    expect(resolver.resolve({ 'Fn::GetAtt': 'FnAB.Arn' })).toBe(
      'arn:aws:lambda:eu-west-2:000000000000:function:FnAB',
    );
  });

  it('substitutes pseudo parameters, resource refs and attributes in Fn::Sub', () => {
    const value = resolver.resolve({
      'Fn::Sub': [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax, not a JS template
        '${AWS::Partition}:${AWS::Region}:${AWS::AccountId}:${Uploads1A2B}:${FnAB.Arn}:${X}:${!Keep}',
        { X: { Ref: 'AWS::URLSuffix' } },
      ],
    });
    expect(value).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the escaped ${!Keep} stays literal
      'aws:eu-west-2:000000000000:uploads1a2b:arn:aws:lambda:eu-west-2:000000000000:function:FnAB:amazonaws.com:${Keep}',
    );
  });

  it('joins, splits and selects', () => {
    const joined = { 'Fn::Join': ['/', ['a', { Ref: 'AWS::Region' }, 'c']] };
    expect(resolver.resolve(joined)).toBe('a/eu-west-2/c');
    expect(resolver.resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', joined] }] })).toBe(
      'eu-west-2',
    );
  });

  it('resolves only the chosen Fn::If branch and drops AWS::NoValue', () => {
    // Prepare: Stage defaults to dev, so IsProd is false and the true branch names a missing resource
    const value = {
      Name: { 'Fn::If': ['IsProd', { Ref: 'DoesNotExist' }, 'fallback'] },
      Extra: { 'Fn::If': ['IsProd', 'x', { Ref: 'AWS::NoValue' }] },
    };

    // Act
    const resolved = resolver.resolve(value);

    // Assess
    expect(resolved).toEqual({ Name: 'fallback' });
    expect(resolver.resourcesOfType('AWS::S3::Bucket').map(([id]) => id)).toEqual(['Uploads1A2B']);
  });

  it('refuses what it cannot resolve locally', () => {
    expect(() => resolver.resolve({ 'Fn::ImportValue': 'Shared' })).toThrow(TemplateError);
    expect(() => resolver.resolve({ Ref: 'Missing' })).toThrow(TemplateError);
  });
});
