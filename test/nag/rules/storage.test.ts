/** TI-BUCKET1, TI-QUEUE1, TI-QUEUE2: compliant, non-compliant and error cases. */
import { CfnParameter, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TenantBucketProtection, TenantQueueProtection, TenantQueueTag } from '../../../lib/nag';
import { describeRule } from '../support';

const tenant = <T extends s3.Bucket | sqs.Queue | s3.CfnBucket | sqs.CfnQueue>(resource: T, id = 'acme'): T => {
  Tags.of(resource).add('TenantId', id);
  return resource;
};
const key = (stack: Stack) => new kms.Key(stack, 'Key', { enableKeyRotation: true });

describeRule(TenantBucketProtection, [
  {
    name: 'Compliance 1: tenant bucket with TLS-only policy and a customer key',
    build: (stack) => void tenant(new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key(stack), enforceSSL: true })),
    expected: [],
  },
  { name: 'Compliance 2: a shared bucket is not a tenant bucket', build: (stack) => void new s3.Bucket(stack, 'Logs'), expected: [] },
  {
    name: 'Noncompliance 1: tenant bucket with SSE-S3 and no TLS policy',
    build: (stack) => void tenant(new s3.Bucket(stack, 'Bucket')),
    expected: ['[NoTlsEnforcement]', '[NoCustomerManagedKey]'],
  },
  {
    name: 'Noncompliance 2: tenant bucket with the AWS managed key aws/s3',
    build: (stack) => void tenant(new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS_MANAGED, enforceSSL: true })),
    expected: ['[NoCustomerManagedKey]'],
  },
  {
    name: 'Error 1: encryption algorithm from a template parameter',
    build: (stack) =>
      void tenant(
        new s3.CfnBucket(stack, 'Bucket', {
          bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: new CfnParameter(stack, 'Algo').valueAsString } }] },
        }),
      ),
    expected: 'error',
  },
]);

describeRule(TenantQueueProtection, [
  {
    name: 'Compliance 1: tenant queue with TLS-only policy and a customer key',
    build: (stack) => void tenant(new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key(stack), enforceSSL: true })),
    expected: [],
  },
  { name: 'Compliance 2: a shared queue is not a tenant queue', build: (stack) => void new sqs.Queue(stack, 'Shared'), expected: [] },
  {
    name: 'Noncompliance 1: tenant queue (by name) with SQS-managed SSE and no TLS policy',
    build: (stack) => void new sqs.Queue(stack, 'Queue', { queueName: 'tenant-acme-jobs', encryption: sqs.QueueEncryption.SQS_MANAGED }),
    expected: ['[NoTlsEnforcement]', '[NoCustomerManagedKey]'],
  },
  {
    name: 'Noncompliance 2: tenant queue with alias/aws/sqs',
    build: (stack) => void tenant(new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.KMS_MANAGED, enforceSSL: true })),
    expected: ['[NoCustomerManagedKey]'],
  },
  {
    name: 'Error 1: key id from a template parameter',
    build: (stack) => void tenant(new sqs.CfnQueue(stack, 'Queue', { kmsMasterKeyId: new CfnParameter(stack, 'KeyId').valueAsString })),
    expected: 'error',
  },
]);

describeRule(TenantQueueTag, [
  { name: 'Compliance 1: tenant-acme-jobs tagged acme', build: (stack) => void tenant(new sqs.Queue(stack, 'Queue', { queueName: 'tenant-acme-jobs' })), expected: [] },
  { name: 'Compliance 2: a shared queue needs no tag', build: (stack) => void new sqs.Queue(stack, 'Shared', { queueName: 'platform-events' }), expected: [] },
  {
    name: 'Noncompliance 1: tenant queue without its tag',
    build: (stack) => void new sqs.Queue(stack, 'Queue', { queueName: 'tenant-acme-jobs' }),
    expected: ['[MissingTenantIdTag]'],
  },
  {
    name: 'Noncompliance 2: tag names a tenant whose id only shares the prefix',
    build: (stack) => void tenant(new sqs.Queue(stack, 'Queue', { queueName: 'tenant-acme-jobs' }), 'acme-corp'),
    expected: ['[TagIsNotNameTenant::acme-corp]'],
  },
  {
    name: "Noncompliance 3: tag is not the stack's tenant",
    build: (stack) => {
      stack.tags.setTag('TenantId', 'globex');
      tenant(new sqs.Queue(stack, 'Queue'), 'acme');
    },
    expected: ['[TagIsNotStackTenant::acme]'],
  },
  {
    name: 'Error 1: tag value from a template parameter',
    build: (stack) =>
      void tenant(new sqs.Queue(stack, 'Queue', { queueName: 'tenant-acme-jobs', removalPolicy: RemovalPolicy.RETAIN }), new CfnParameter(stack, 'Tenant').valueAsString),
    expected: 'error',
  },
]);
