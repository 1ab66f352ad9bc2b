/** TI-DDB1: compliant, non-compliant and error cases, each on the smallest stack that shows it. */
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { PooledTableAccess } from '../../../lib/nag';
import { TenantPooledTable } from '../../../lib/boundaries/dynamodb/pooled-table';
import { POOLED_TABLE_TAG_KEY, POOLED_TABLE_TAG_VALUE } from '../../../lib/core/dynamodb-keys';
import { PRINCIPAL_TENANT } from '../../../lib/core/namespace';
import { describeRule } from '../../nag/support';

const TABLE = 'arn:aws:dynamodb:eu-west-1:111111111111:table/items';
const T = PRINCIPAL_TENANT;
const GOOD = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [T, `${T}#*`] }, Null: { 'dynamodb:LeadingKeys': 'false' } };

function table(stack: Stack, pooled = true, name = 'items'): dynamodb.CfnTable {
  return new dynamodb.CfnTable(stack, 'Table', {
    tableName: name,
    keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
    attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
    billingMode: 'PAY_PER_REQUEST',
    tags: pooled ? [{ key: POOLED_TABLE_TAG_KEY, value: POOLED_TABLE_TAG_VALUE }] : undefined,
  });
}

const grant =
  (sid: string, actions: string[], resources: string[], conditions?: Record<string, Record<string, unknown>>, pooled = true) =>
  (stack: Stack) => {
    table(stack, pooled);
    new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ sid, actions, resources, conditions })] });
  };

describeRule(PooledTableAccess, [
  {
    name: 'Compliance 1: ForAllValues:StringLike on the tenant patterns with the Null guard',
    build: grant('Own', ['dynamodb:GetItem', 'dynamodb:Query'], [TABLE, `${TABLE}/index/*`], GOOD),
    expected: [],
  },
  {
    name: 'Compliance 2: ForAllValues:StringEquals on a literal tenant id with the Null guard',
    build: grant('Acme', ['dynamodb:BatchWriteItem'], [TABLE], {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['acme'] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    }),
    expected: [],
  },
  { name: 'Compliance 3: a table that is not pooled', build: grant('Any', ['dynamodb:*'], [TABLE], undefined, false), expected: [] },
  { name: 'Compliance 4: another table of the stack', build: grant('Other', ['dynamodb:*'], ['arn:aws:dynamodb:eu-west-1:111111111111:table/audit-log']), expected: [] },
  {
    name: "Compliance 5: the construct's own grant (TenantPooledTable.grantTenantAccess)",
    build: (stack) => {
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
      new TenantPooledTable(stack, 'Items', {
        tableName: 'tib-tenant-items',
        globalSecondaryIndexes: [{ indexName: 'byType', partitionKeyName: 'gsi1pk' }],
      }).grantTenantAccess(role);
    },
    expected: [],
  },
  {
    name: 'Compliance 6: a Deny is not a grant',
    build: (stack) => {
      table(stack);
      new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['dynamodb:Scan'], resources: [TABLE] })] });
    },
    expected: [],
  },
  { name: 'Noncompliance 1: item actions without LeadingKeys', build: grant('Open', ['dynamodb:GetItem'], [TABLE]), expected: ['[Open::NoLeadingKeys]'] },
  {
    name: 'Noncompliance 2: ForAllValues without the Null guard (the empty set passes)',
    build: grant('Trap', ['dynamodb:Query'], [TABLE], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [T, `${T}#*`] } }),
    expected: ['[Trap::NoNullGuard]'],
  },
  {
    name: 'Noncompliance 3: ForAnyValue (a batch with one own key)',
    build: grant('Any', ['dynamodb:BatchGetItem'], [TABLE], { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [T] } }),
    expected: ['[Any::ForAnyValue]'],
  },
  {
    name: 'Noncompliance 4: IfExists (requests without keys pass)',
    build: grant('IfEx', ['dynamodb:GetItem'], [TABLE], {
      'ForAllValues:StringLikeIfExists': { 'dynamodb:LeadingKeys': [T] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    }),
    expected: ['[IfEx::IfExists]'],
  },
  {
    name: 'Noncompliance 5: a pattern without the # delimiter covers acme-corp for acme',
    build: grant('Prefix', ['dynamodb:GetItem'], [TABLE], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${T}*`] },
      Null: { 'dynamodb:LeadingKeys': 'false' },
    }),
    expected: [`[Prefix::Pattern::${T}*]`],
  },
  { name: 'Noncompliance 6: Scan on the table', build: grant('Scan', ['dynamodb:Scan'], [TABLE], GOOD), expected: ['[Scan::Allows::dynamodb:Scan]'] },
  {
    name: 'Noncompliance 7: dynamodb:PartiQL* on the table by reference',
    build: (stack) => {
      const t = table(stack);
      new iam.ManagedPolicy(stack, 'Policy', {
        statements: [new iam.PolicyStatement({ sid: 'Ql', actions: ['dynamodb:PartiQL*'], resources: [t.attrArn], conditions: GOOD })],
      });
    },
    expected: [
      '[Ql::Allows::dynamodb:PartiQLDelete]',
      '[Ql::Allows::dynamodb:PartiQLInsert]',
      '[Ql::Allows::dynamodb:PartiQLSelect]',
      '[Ql::Allows::dynamodb:PartiQLUpdate]',
    ],
  },
  {
    name: 'Noncompliance 8: a single-valued operator on the multivalued key',
    build: grant('Single', ['dynamodb:PutItem'], ['*'], { StringLike: { 'dynamodb:LeadingKeys': [T] } }),
    expected: ['[Single::NoSetOperator]'],
  },
  {
    name: 'Noncompliance 9: every table (table/*)',
    build: grant('All', ['dynamodb:GetItem'], ['arn:aws:dynamodb:eu-west-1:111111111111:table/*']),
    expected: ['[All::NoLeadingKeys]'],
  },
  {
    name: 'Noncompliance 10: a global table tagged pooled on its replica',
    build: (stack) => {
      new dynamodb.CfnGlobalTable(stack, 'Global', {
        tableName: 'items',
        keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
        attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
        billingMode: 'PAY_PER_REQUEST',
        replicas: [{ region: 'eu-west-1', tags: [{ key: POOLED_TABLE_TAG_KEY, value: POOLED_TABLE_TAG_VALUE }] }],
      });
      new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ sid: 'Open', actions: ['dynamodb:Query'], resources: [TABLE] })] });
    },
    expected: ['[Open::NoLeadingKeys]'],
  },
  {
    name: 'Error 1: resource from a template parameter',
    build: (stack) => grant('P', ['dynamodb:GetItem'], [new CfnParameter(stack, 'Arn').valueAsString])(stack),
    expected: 'error',
  },
]);
