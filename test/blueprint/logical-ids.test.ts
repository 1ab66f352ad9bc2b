/**
 * allocateLogicalIdOnce (lib/boundaries/logical-ids.ts) changes no logical id: a stack that
 * allocates each element's id once gives the same template as aws-cdk-lib's own Stack, and a
 * rename or an override made after the id was first allocated still takes effect.
 */
import { App, CfnElement, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { allocateLogicalIdOnce } from '../../lib/boundaries/logical-ids';

class OnceStack extends Stack {
  public allocations = 0;
  protected allocateLogicalId(element: CfnElement): string {
    return allocateLogicalIdOnce(element, () => {
      this.allocations++;
      return super.allocateLogicalId(element);
    });
  }
}

/** aws-cdk-lib's own allocation, counted. */
class CountingStack extends Stack {
  public allocations = 0;
  protected allocateLogicalId(element: CfnElement): string {
    this.allocations++;
    return super.allocateLogicalId(element);
  }
}

class OnceNestedStack extends NestedStack {
  protected allocateLogicalId(element: CfnElement): string {
    return allocateLogicalIdOnce(element, () => super.allocateLogicalId(element));
  }
}

/** Resources that reference one another (Ref, GetAtt in policies), nested constructs and a nested stack. */
function build(stack: Stack, nested: (scope: Construct, id: string) => NestedStack): void {
  const group = new Construct(stack, 'Group');
  const dlq = new sqs.Queue(group, 'DeadLetters');
  const queue = new sqs.Queue(group, 'Jobs', { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  queue.grantConsumeMessages(role);
  dlq.grantSendMessages(role);
  const inner = nested(stack, 'Inner');
  new sqs.Queue(inner, 'InnerQueue', { queueName: queue.queueName });
}

test('the same templates as aws-cdk-lib allocating every time, with fewer allocations', () => {
  const plainApp = new App();
  const plain = new CountingStack(plainApp, 'S');
  build(plain, (scope, id) => new NestedStack(scope, id));
  const onceApp = new App();
  const once = new OnceStack(onceApp, 'S');
  build(once, (scope, id) => new OnceNestedStack(scope, id));

  const plainAssembly = plainApp.synth();
  const onceAssembly = onceApp.synth();
  expect(Template.fromStack(once).toJSON()).toEqual(Template.fromStack(plain).toJSON());
  const nestedTemplates = (dir: string) =>
    Object.fromEntries(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.nested.template.json'))
        .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
    );
  expect(Object.keys(nestedTemplates(onceAssembly.directory))).toHaveLength(1);
  expect(nestedTemplates(onceAssembly.directory)).toEqual(nestedTemplates(plainAssembly.directory));
  // Each element was allocated once, although its id was asked for by every reference and pass.
  const elements = once.node.findAll().filter((c) => CfnElement.isCfnElement(c) && Stack.of(c) === once).length;
  expect(once.allocations).toBe(elements);
  expect(plain.allocations).toBeGreaterThan(2 * elements);
});

test('a rename or an override after the first allocation still takes effect', () => {
  const app = new App();
  const stack = new OnceStack(app, 'S');
  const queue = new sqs.Queue(stack, 'Jobs');
  const other = new sqs.Queue(stack, 'Other');
  const cfnQueue = queue.node.defaultChild as sqs.CfnQueue;
  const before = stack.resolve(cfnQueue.logicalId);
  expect(before).toMatch(/^Jobs[0-9A-F]{8}$/);
  stack.renameLogicalId(before, 'RenamedJobs');
  (other.node.defaultChild as sqs.CfnQueue).overrideLogicalId('OverriddenOther');
  const resources = Template.fromStack(stack).toJSON().Resources;
  expect(Object.keys(resources).sort()).toEqual(['OverriddenOther', 'RenamedJobs']);
});
