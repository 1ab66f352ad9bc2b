/**
 * Loading and resolving: nested stages (cdk:cloud-assembly), nested stacks with parameters and
 * outputs, cross-stack exports (Fn::ImportValue), Fn::If on conditions, Select/Split/FindInMap/Sub,
 * and findings that point at the logical id wherever the policy lives.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runAudit } from '../../lib/audit/audit';
import { loadAssembly } from '../../lib/audit/assembly-loader';
import { Resolver } from '../../lib/audit/intrinsics';
import { abacRole, NULL_TAG_DENY, tmpDir, writeAssembly } from './fixtures/assembly-builder';

describe('intrinsics', () => {
  const dir = writeAssembly(tmpDir('intrinsics'), {
    Producer: {
      resources: { Data: { Type: 'AWS::S3::Bucket', Properties: {} } },
      outputs: { DataArn: { Value: { 'Fn::GetAtt': ['Data', 'Arn'] }, Export: { Name: 'shared-data-arn' } } },
    },
    Consumer: {
      parameters: { Stage: { Type: 'String', Default: 'prod' } },
      resources: { Q: { Type: 'AWS::SQS::Queue', Properties: {} } },
    },
  });
  const asm = loadAssembly(dir);
  const consumer = asm.stacks.find((s) => s.stackName === 'Consumer')!;
  const r = new Resolver(asm);
  (consumer.template as { Conditions?: unknown }).Conditions = { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } };
  (consumer.template as { Mappings?: unknown }).Mappings = { Env: { prod: { Prefix: 'tenants/' } } };

  test.each([
    ['ImportValue of another stack export, symbolic name keeps the logical id', { 'Fn::ImportValue': 'shared-data-arn' }, 'arn:aws:s3:::producer-data'],
    ['pseudo parameters (env-agnostic defaults)', { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:x' }, 'arn:aws:sqs:us-east-1:111111111111:x'],
    ['Fn::If on a decidable condition', { 'Fn::If': ['IsProd', 'yes', 'no'] }, 'yes'],
    ['Fn::Select + Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'b'],
    ['Fn::FindInMap', { 'Fn::FindInMap': ['Env', { Ref: 'Stage' }, 'Prefix'] }, 'tenants/'],
    ['Fn::Sub keeps IAM policy variables', { 'Fn::Sub': 'x/${aws:PrincipalTag/TenantId}/${!Literal}' }, 'x/${aws:PrincipalTag/TenantId}/${Literal}'],
    ['GetAtt Arn of a queue', { 'Fn::GetAtt': ['Q', 'Arn'] }, 'arn:aws:sqs:us-east-1:111111111111:Consumer-Q'],
    ['Ref of a queue is its URL', { Ref: 'Q' }, 'https://sqs.us-east-1.amazonaws.com/111111111111/Consumer-Q'],
  ])('%s', (_, input, expected) => {
    expect(r.resolve(consumer, input, 'Test')).toEqual(expected);
  });

  test('what cannot be resolved is recorded, never dropped', () => {
    const before = r.unresolved.length;
    expect(r.resolve(consumer, { 'Fn::ImportValue': 'nobody-exports-this' }, 'Test')).toMatch(/^\{\{unresolved:/);
    expect(r.resolve(consumer, { Ref: 'NoSuchThing' }, 'Test')).toMatch(/^\{\{unresolved:/);
    expect(r.unresolved.slice(before).map((u) => u.reason)).toEqual([
      'ImportValue nobody-exports-this: no stack of the assembly exports it',
      'Ref to unknown name NoSuchThing',
    ]);
  });
});

describe('nested stages and nested stacks', () => {
  test('a leak inside a nested stack of a nested stage is found and located', async () => {
    const dir = tmpDir('nested');
    // Stage "Prod" with a parent stack whose nested stack holds the tenant role; the role's
    // policy names the bucket through a nested-stack parameter and an import of a root export.
    writeAssembly(
      dir,
      {
        Shared: {
          resources: { Pool: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'pool' } } },
          outputs: { PoolArn: { Value: { 'Fn::GetAtt': ['Pool', 'Arn'] }, Export: { Name: 'pool-arn' } } },
        },
      },
      {
        Prod: {
          Parent: {
            resources: {
              Child: {
                Type: 'AWS::CloudFormation::Stack',
                Properties: { Parameters: { BucketArn: { 'Fn::ImportValue': 'pool-arn' } } },
                Metadata: { 'aws:asset:path': 'ParentChild.nested.template.json' },
              },
            },
          },
        },
      },
    );
    fs.writeFileSync(
      path.join(dir, 'assembly-Prod', 'ParentChild.nested.template.json'),
      JSON.stringify({
        Parameters: { BucketArn: { Type: 'String' } },
        Resources: {
          TenantRole: {
            ...abacRole([{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ Ref: 'BucketArn' }, '/*']] } }, NULL_TAG_DENY]),
            Metadata: { 'aws:cdk:path': 'Prod/Parent/Child/TenantRole/Resource' },
          },
        },
      }),
    );
    const r = await runAudit(dir);
    expect(r.stacks).toBe(3);
    const f = r.findings.find((x) => x.rule === 'TI-UNSCOPED-GRANT');
    expect(f).toMatchObject({
      logicalId: 'TenantRole',
      constructPath: 'Prod/Parent/Child/TenantRole/Resource',
      templateFile: path.join('assembly-Prod', 'ParentChild.nested.template.json'),
      resource: expect.stringMatching(/^arn:aws:s3:::pool\/tenants\/[a-z-]+\/audit-probe$/),
    });
    expect(r.findings.filter((x) => x.rule === 'TI-UNRESOLVED')).toEqual([]);
  });
});

describe('resources with the same logical id in different stacks', () => {
  // Every tenant stack of an app has its own key under the same logical id (the blueprint's JobsKey).
  const key = {
    Type: 'AWS::KMS::Key',
    Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' }] } },
  };
  const worker = (resource: unknown) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      Policies: [{ PolicyName: 'Keys', PolicyDocument: { Statement: [{ Sid: 'Decrypt', Effect: 'Allow', Action: 'kms:Decrypt', Resource: resource }] } }],
    },
  });
  const app = (acmeResource: unknown) =>
    writeAssembly(tmpDir('same-logical-id'), {
      'Tenant-acme': { tags: { TenantId: 'acme' }, resources: { JobsKey: key, Worker: worker(acmeResource) } },
      'Tenant-globex': { tags: { TenantId: 'globex' }, resources: { JobsKey: key, Worker: worker({ 'Fn::GetAtt': ['JobsKey', 'Arn'] }) } },
    });

  test("two stacks' keys resolve to different ARNs, so a grant on one tenant's key is not one on the other's", async () => {
    const dir = app({ 'Fn::GetAtt': ['JobsKey', 'Arn'] });
    const asm = loadAssembly(dir);
    const r = new Resolver(asm);
    const [acme, globex] = ['Tenant-acme', 'Tenant-globex'].map((n) => asm.stacks.find((s) => s.stackName === n)!);
    expect(r.arnOf(acme, 'JobsKey')).not.toEqual(r.arnOf(globex, 'JobsKey'));
    const clean = await runAudit(dir);
    expect(clean.findings.filter((f) => f.severity !== 'note')).toEqual([]);
  });

  test("a worker of acme allowed every key of the account reaches globex's key", async () => {
    const leaky = await runAudit(app('arn:aws:kms:us-east-1:111111111111:key/*'));
    const cross = leaky.findings.filter((f) => f.severity === 'error' && f.stack === 'Tenant-acme' && f.action?.startsWith('kms:'));
    expect(cross.length).toBeGreaterThan(0);
    expect(cross.every((f) => f.tenants?.actingAs === 'acme' && f.tenants?.victim === 'globex')).toBe(true);
  });
});
