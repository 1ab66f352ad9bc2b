/** The pooled and silo tables as synthesized: protection settings, keys, tags, and prop validation. */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TenantPooledTable } from '../../../lib/boundaries/dynamodb/pooled-table';
import { TenantSiloTable } from '../../../lib/boundaries/dynamodb/silo-table';
import { TenantId } from '../../../lib/core/tenant-id';
import { newTestApp } from '../../helpers/app';

const stack = () => new Stack(newTestApp(), 'Test');

test('pooled table: customer managed key, PITR, deletion protection, retained, tagged pooled, GSI on tenant-led keys', () => {
  const s = stack();
  new TenantPooledTable(s, 'Items', {
    tableName: 'tib-tenant-items',
    globalSecondaryIndexes: [{ indexName: 'byType', partitionKeyName: 'gsi1pk', sortKeyName: 'gsi1sk' }],
  });
  const t = Template.fromStack(s);
  t.hasResource('AWS::DynamoDB::Table', {
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: Match.objectLike({
      TableName: 'tib-tenant-items',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byType',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
      ],
      Tags: [{ Key: 'tenant-isolation:partition', Value: 'tenant-leading-key' }],
    }),
  });
  t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 30 }) });
});

test('grantTenantAccess returns the Grant of the Allow, and the key is usable only via DynamoDB for this table', () => {
  const s = stack();
  const role = new iam.Role(s, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
  const items = new TenantPooledTable(s, 'Items', { tableName: 'tib-tenant-items' });
  const grant = items.grantTenantAccess(role);
  expect(grant.success).toBe(true);
  expect(grant.principalStatements.map((st) => st.sid)).toEqual(['PooledItemsOwnPartitions']);
  const key = Object.values(Template.fromStack(s).findResources('AWS::KMS::Key'))[0] as {
    Properties: { KeyPolicy: { Statement: Array<{ Sid?: string; Condition?: unknown }> } };
  };
  const st = key.Properties.KeyPolicy.Statement.find((x) => x.Sid === 'TenantSessionsUseKeyViaDynamoDB');
  expect(st?.Condition).toEqual({
    StringEquals: {
      'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      'kms:EncryptionContext:aws:dynamodb:tableName': 'tib-tenant-items',
    },
  });
});

test('silo table: exact tenant name, tenant tag, key statement bound to the tenant, none when retired', () => {
  const build = (accessEnabled: boolean) => {
    const s = stack();
    new TenantSiloTable(s, 'Silo', {
      tenant: TenantId.parse('globex'),
      qualifier: 'tib',
      tenantAccessRoleArn: 'arn:aws:iam::111111111111:role/tenant-isolation/tib-TenantAccessRole',
      accessEnabled,
    });
    return Template.fromStack(s);
  };
  const t = build(true);
  t.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'tib-tenant-globex-items', Tags: Match.arrayWith([{ Key: 'TenantId', Value: 'globex' }]) });
  expect(JSON.stringify(t.findResources('AWS::KMS::Key'))).toContain('"aws:PrincipalTag/TenantId":"globex"');
  expect(JSON.stringify(build(false).findResources('AWS::KMS::Key'))).not.toContain('TenantSessionsUseKeyViaDynamoDB');
});

test('bad props fail with the construct path, every problem at once', () => {
  expect(
    () =>
      new TenantPooledTable(stack(), 'Items', {
        tableName: 'x',
        partitionKeyName: 'bad name',
        globalSecondaryIndexes: [
          { indexName: 'idx', partitionKeyName: 'a' },
          { indexName: 'idx', partitionKeyName: 'b' },
        ],
      }),
  ).toThrow(/^Test\/Items: tableName "x" is not a DynamoDB table name.*partitionKeyName "bad name".*globalSecondaryIndexes\[1\]\.indexName "idx" is used twice/);
});
