/**
 * The blueprint app's `App` options (lib/blueprint/app-props.ts): no creation stack traces unless
 * CDK_DEBUG is set (what `cdk synth --debug` sets), no tree.json unless `-c treeMetadata=true`,
 * and the templates themselves are the same either way.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { blueprintAppProps } from '../../lib/blueprint/app-props';

interface Synthesized {
  readonly dir: string;
  readonly metadataTypes: Set<string>;
  readonly template: string;
}

function synth(env: NodeJS.ProcessEnv): Synthesized {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-props-'));
  const app = new App({ ...blueprintAppProps(env), outdir: dir });
  const stack = new Stack(app, 'S');
  const queue = new sqs.Queue(stack, 'Q');
  const assembly = app.synth();
  const artifact = assembly.getStackByName('S');
  // The metadata the queue's CloudFormation element recorded when it was created.
  const metadataTypes = new Set(queue.node.defaultChild!.node.metadata.map((m) => m.type));
  return { dir, metadataTypes, template: fs.readFileSync(path.join(dir, artifact.templateFile), 'utf8') };
}

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function synthKept(env: NodeJS.ProcessEnv): Synthesized {
  const s = synth(env);
  made.push(s.dir);
  return s;
}

test('by default: no creation stack traces and no tree.json, templates unchanged', () => {
  const plain = (() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-props-plain-'));
    made.push(dir);
    const app = new App({ outdir: dir });
    const queue = new sqs.Queue(new Stack(app, 'S'), 'Q');
    const assembly = app.synth();
    const types = new Set(queue.node.defaultChild!.node.metadata.map((m) => m.type));
    return { dir, types, template: fs.readFileSync(path.join(dir, assembly.getStackByName('S').templateFile), 'utf8') };
  })();
  // The control: aws-cdk-lib's defaults record both.
  expect(plain.types.has('aws:cdk:creationStack')).toBe(true);
  expect(fs.existsSync(path.join(plain.dir, 'tree.json'))).toBe(true);

  const s = synthKept({});
  expect(s.metadataTypes.has('aws:cdk:logicalId')).toBe(true);
  expect(s.metadataTypes.has('aws:cdk:creationStack')).toBe(false);
  expect(fs.existsSync(path.join(s.dir, 'tree.json'))).toBe(false);
  expect(s.template).toBe(plain.template);
});

test('-c treeMetadata=true writes tree.json (from the CLI context, also when it overflows to a file)', () => {
  expect(fs.existsSync(path.join(synthKept({ CDK_CONTEXT_JSON: JSON.stringify({ treeMetadata: true }) }).dir, 'tree.json'))).toBe(true);
  expect(fs.existsSync(path.join(synthKept({ CDK_CONTEXT_JSON: JSON.stringify({ treeMetadata: 'true' }) }).dir, 'tree.json'))).toBe(true);
  expect(fs.existsSync(path.join(synthKept({ CDK_CONTEXT_JSON: JSON.stringify({ treeMetadata: false }) }).dir, 'tree.json'))).toBe(false);
  const overflow = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'app-props-ctx-')), 'context.json');
  made.push(path.dirname(overflow));
  fs.writeFileSync(overflow, JSON.stringify({ treeMetadata: true }));
  expect(fs.existsSync(path.join(synthKept({ CONTEXT_OVERFLOW_LOCATION_ENV: overflow }).dir, 'tree.json'))).toBe(true);
});

test('CDK_DEBUG (cdk synth --debug) records the creation stack traces again', () => {
  const before = process.env.CDK_DEBUG;
  process.env.CDK_DEBUG = 'true';
  try {
    expect(synthKept({}).metadataTypes.has('aws:cdk:creationStack')).toBe(true);
  } finally {
    if (before === undefined) delete process.env.CDK_DEBUG;
    else process.env.CDK_DEBUG = before;
  }
});
