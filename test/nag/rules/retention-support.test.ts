/** TI-RETAIN1 and TI-SUPPORT1: compliant, non-compliant and error cases. */
import { CfnDeletionPolicy, CfnParameter, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { StatefulRetention, SupportRoleGuards } from '../../../lib/nag';
import { describeRule } from '../support';

describeRule(StatefulRetention, [
  {
    name: 'Compliance 1: retained bucket and log group, snapshotted cluster, stateless role',
    build: (stack) => {
      new s3.Bucket(stack, 'Bucket', { removalPolicy: RemovalPolicy.RETAIN });
      new logs.LogGroup(stack, 'Logs');
      const cluster = new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', masterUsername: 'owner', manageMasterUserPassword: true });
      cluster.cfnOptions.deletionPolicy = CfnDeletionPolicy.SNAPSHOT;
      cluster.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.SNAPSHOT;
      new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    },
    expected: [],
  },
  {
    name: 'Compliance 2: an Aurora cluster member instance (no storage of its own) next to its snapshotted cluster',
    build: (stack) => {
      const cluster = new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', masterUsername: 'owner', manageMasterUserPassword: true });
      cluster.cfnOptions.deletionPolicy = CfnDeletionPolicy.SNAPSHOT;
      cluster.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.SNAPSHOT;
      new rds.CfnDBInstance(stack, 'Writer', { engine: 'aurora-postgresql', dbInstanceClass: 'db.serverless', dbClusterIdentifier: cluster.ref });
    },
    expected: [],
  },
  {
    name: 'Noncompliance 4: a standalone DB instance (its own storage) with no policy written',
    build: (stack) => void new rds.CfnDBInstance(stack, 'Db', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20' }),
    expected: ['[DeletionPolicy::absent]', '[UpdateReplacePolicy::absent]'],
  },
  {
    name: 'Noncompliance 1: a queue destroyed with the stack (CDK default)',
    build: (stack) => void new sqs.Queue(stack, 'Queue'),
    expected: ['[DeletionPolicy::Delete]', '[UpdateReplacePolicy::Delete]'],
  },
  {
    name: 'Noncompliance 2: an L1 bucket with no policy written',
    build: (stack) => void new s3.CfnBucket(stack, 'Bucket'),
    expected: ['[DeletionPolicy::absent]', '[UpdateReplacePolicy::absent]'],
  },
  {
    name: 'Noncompliance 3: a log group set to DESTROY (the CloudFormation validator already refuses Snapshot on it)',
    build: (stack) => void new logs.LogGroup(stack, 'Logs', { removalPolicy: RemovalPolicy.DESTROY }),
    expected: ['[DeletionPolicy::Delete]', '[UpdateReplacePolicy::Delete]'],
  },
  {
    name: 'Error 1: DeletionPolicy from a parameter (AWS::LanguageExtensions)',
    build: (stack) => {
      stack.addTransform('AWS::LanguageExtensions');
      const b = new s3.Bucket(stack, 'Bucket', { removalPolicy: RemovalPolicy.RETAIN });
      (b.node.defaultChild as s3.CfnBucket).addOverride('DeletionPolicy', { Ref: new CfnParameter(stack, 'Policy', { allowedValues: ['Retain', 'Delete'] }).logicalId });
    },
    expected: 'error',
  },
]);

const PEOPLE = new iam.ArnPrincipal('arn:aws:iam::111111111111:role/support-engineers');
/** Every guard TI-SUPPORT1 asks for, in one statement (as CDK renders a principal with conditions). */
const guarded = (principal: iam.IPrincipal) =>
  new iam.SessionTagsPrincipal(principal).withConditions({
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
    StringLike: { 'sts:SourceIdentity': '*@example.com', 'aws:RequestTag/TenantId': '????*', 'aws:RequestTag/SupportTicket': 'SUP-*' },
    'ForAllValues:StringEquals': { 'aws:TagKeys': ['TenantId', 'SupportTicket'] },
  });

describeRule(SupportRoleGuards, [
  {
    name: 'Compliance 1: tagged support role with MFA, source identity, tenant and ticket tags',
    build: (stack) => {
      const role = new iam.Role(stack, 'Access', { assumedBy: guarded(PEOPLE) });
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ principals: [PEOPLE], actions: ['sts:SetSourceIdentity'] }));
      Tags.of(role).add('tenant-isolation:boundary', 'support');
    },
    expected: [],
  },
  {
    name: 'Compliance 3: tags required in a separate TagSession statement, AssumeRole denied without tags',
    build: (stack) => {
      const role = new iam.Role(stack, 'Access', {
        assumedBy: PEOPLE.withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, StringLike: { 'sts:SourceIdentity': '??*' } }),
      });
      const doc = role.assumeRolePolicy!;
      doc.addStatements(
        new iam.PolicyStatement({ principals: [PEOPLE], actions: ['sts:SetSourceIdentity'] }),
        new iam.PolicyStatement({
          principals: [PEOPLE],
          actions: ['sts:TagSession'],
          conditions: { StringLike: { 'aws:RequestTag/TenantId': '???*', 'aws:RequestTag/SupportTicket': 'SUP-?*' } },
        }),
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['sts:AssumeRole'],
          conditions: { Null: { 'aws:TagKeys': 'true' } },
        }),
      );
      Tags.of(role).add('tenant-isolation:boundary', 'support');
    },
    expected: [],
  },
  {
    name: 'Noncompliance 5: tags required only in TagSession, but AssumeRole without any tag is not denied',
    build: (stack) => {
      const role = new iam.Role(stack, 'Access', {
        assumedBy: PEOPLE.withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' }, StringLike: { 'sts:SourceIdentity': '??*' } }),
      });
      role.assumeRolePolicy!.addStatements(
        new iam.PolicyStatement({ principals: [PEOPLE], actions: ['sts:SetSourceIdentity'] }),
        new iam.PolicyStatement({
          principals: [PEOPLE],
          actions: ['sts:TagSession'],
          conditions: { StringLike: { 'aws:RequestTag/TenantId': '???*', 'aws:RequestTag/SupportTicket': 'SUP-?*' } },
        }),
      );
      Tags.of(role).add('tenant-isolation:boundary', 'support');
    },
    expected: ['[#0::NoTenantTag]', '[#0::NoTicketTag]'],
  },
  {
    name: 'Compliance 2: a Lambda role named for support is not a support role',
    build: (stack) => void new iam.Role(stack, 'SupportAlertFunctionRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
    expected: [],
  },
  {
    name: 'Noncompliance 1: support role (by construct id) with a bare trust',
    build: (stack) => void new iam.Role(stack, 'SupportAccess', { assumedBy: PEOPLE }),
    expected: ['[#0::NoMfa]', '[#0::NoSourceIdentity]', '[#0::NoTenantTag]', '[#0::NoTicketTag]'],
  },
  {
    name: 'Noncompliance 2: support role (by name) with BoolIfExists MFA and no SetSourceIdentity',
    build: (stack) =>
      void new iam.Role(stack, 'Ops', {
        roleName: 'tib-support',
        assumedBy: new iam.SessionTagsPrincipal(PEOPLE).withConditions({
          BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' },
          StringLike: { 'sts:SourceIdentity': '*', 'aws:RequestTag/TenantId': '????*', 'aws:RequestTag/TicketId': '*' },
        }),
      }),
    expected: ['[#0::NoMfa]', '[#0::NoSourceIdentity]'],
  },
  {
    name: 'Error 1: MFA condition value from a template parameter',
    build: (stack) => {
      const role = new iam.Role(stack, 'SupportAccess', {
        assumedBy: PEOPLE.withConditions({ Bool: { 'aws:MultiFactorAuthPresent': new CfnParameter(stack, 'Mfa').valueAsString } }),
      });
      void role;
    },
    expected: 'error',
  },
]);
