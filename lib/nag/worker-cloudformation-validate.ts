/**
 * aws-cdk-lib's CloudFormation validator (the built-in `CloudFormationValidatePlugin`, which
 * runs at every synth unless turned off), run in a worker thread so that its fixed cost
 * overlaps the rest of the synth instead of following it.
 *
 * Where the time goes without this (docs/lifecycle.md, "Where synth time goes"): loading the
 * validator's 9 MB WebAssembly engine and its resource schemas costs about 2-3 s before the first
 * template, and then every template is validated one after the other after both nag packs have
 * run. Here the worker starts when the app starts (construct building runs meanwhile), and
 * validates the templates while AwsSolutions and TenantIsolationChecks walk the tree.
 * With `validateTemplatesAsWritten(app)` (applyNagPacks does it), each stack's template is
 * validated as soon as its synthesizer has written it, while the main thread writes the rest.
 *
 * Why the result is the built-in one, not an approximation:
 * - The worker runs aws-cdk-lib's own `CloudFormationValidatePlugin.validate` on the same
 *   `stackTemplates` (the same template files, account and region) and returns its report; the
 *   main thread returns that report unchanged.
 * - `replaceBuiltIn()` makes this instance aws-cdk-lib's built-in validator (the plugin's
 *   singleton, which synthesis-validation.js appends after the registered plugins when built-in
 *   validation is on), rather than registering another plugin. So it runs exactly where and
 *   when the built-in one runs: last, only with `builtinCloudFormationValidation` and without
 *   `CDK_VALIDATION=false`; the `@aws-cdk/core:validateAgainstDefaultRules` flag applies to its
 *   report (matched by plugin name); and the templates do not change (registered plugins are
 *   listed in the CDKMetadata resource, the built-in one is not).
 * - The engine is prepared early with no rego rules (`CompositeEngine({})`). The plugin builds
 *   its engine from the rego rules whose resource types occur in the templates (aws-cdk-lib
 *   validation/rules/index.generated.json); the prepared engine is used only when that list is
 *   empty for the templates being validated, so its configuration is exactly the one the plugin
 *   would build; otherwise the plugin builds its own.
 * - Warming the engine (validating a small template of the resource types the blueprint uses, so
 *   that their schemas are loaded) does not change later results: validation is a function of
 *   the engine configuration, the template and the options. test/nag/worker-validate.test.ts
 *   compares the worker's report with the built-in plugin's, byte for byte, on the blueprint.
 * - With a report cache (bin/app.ts gives it node_modules/.cache/tib-cfn-validate), the engine's
 *   report on a template is kept and reused by a later synth only under the key of exactly what
 *   the plugin passes (template path, template text, options) and only from the same validator
 *   package (the SHA-256 of all its files, the WebAssembly engine and its bundled schemas
 *   included), and only where the prepared engine is used; anything else is validated.
 *   test/nag/worker-validate-cache.test.ts compares those reports with the built-in plugin's.
 *
 * What it validates is what the built-in one validates: the template of every stack artifact
 * (aws-cdk-lib 2.276 hands the plugin each assembly's `stacksRecursively`). A nested stack's
 * template (the blueprint's cache cells) is an asset of its parent, not a stack artifact, so
 * neither validator sees it; both nag packs do check its resources, which are constructs of the
 * tree (measured: 101 templates validated at 100 tenants, none of the 11 nested ones).
 *
 * Used only by bin/app.ts (`applyNagPacks(app, { cloudFormationValidation })`); tests that build
 * an App without it get aws-cdk-lib's own built-in plugin.
 */
import { CloudFormationValidatePlugin, IPolicyValidationContext, ISynthesisSession, IStackSynthesizer, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import * as path from 'path';
import { MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { startValidatorWorker, ValidatorWorker } from './validator-worker';

interface WorkerAnswer {
  readonly report?: PolicyValidationPluginReport;
  readonly version?: string;
  readonly ruleIds?: string[];
  readonly earlyUsed?: number;
  readonly cacheUsed?: number;
  readonly engineLoaded?: boolean;
  readonly pong?: boolean;
  readonly error?: string;
}

/** A worker that died without answering (out of memory) fails the validation instead of hanging. */
const COLLECT_TIMEOUT_MS = 20 * 60 * 1000;

type StackTemplates = IPolicyValidationContext['stackTemplates'];

export class WorkerCloudFormationValidatePlugin extends CloudFormationValidatePlugin {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly state: Int32Array;
  private started?: string;
  private answer?: WorkerAnswer;

  /** `started`: a worker started earlier (bin/app.ts starts it before loading anything else). */
  constructor(started: ValidatorWorker = startValidatorWorker()) {
    super();
    this.worker = started.worker;
    this.port = started.port;
    this.state = started.state;
  }

  /**
   * Makes this aws-cdk-lib's built-in CloudFormation validator for this process (the singleton
   * `CloudFormationValidatePlugin._singletonInstance()` returns; @internal in aws-cdk-lib 2.276).
   */
  public replaceBuiltIn(): void {
    (CloudFormationValidatePlugin as unknown as { _instance?: CloudFormationValidatePlugin })._instance = this;
  }

  /**
   * Validates each top-level stack's template in the worker as soon as the stack's synthesizer
   * has written it (during synthesis, while the main thread writes the next ones), instead of
   * all of them after synthesis. The plugin's own `validate` still runs on every template at the
   * usual time; for a template validated early it gets that report from the engine call whose
   * inputs (template path, template text, options) are exactly the ones it passes, and only
   * from the engine the plugin would use itself (no rego rules apply); anything else, a
   * template rewritten since, a stack not hooked, is validated then. Call after the stacks are
   * built and before `app.synth()`.
   */
  public validateTemplatesAsWritten(scope: IConstruct): void {
    const stacks = scope.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c.nestedStackParent === undefined);
    const users = new Map<IStackSynthesizer, number>();
    for (const stack of stacks) users.set(stack.synthesizer, (users.get(stack.synthesizer) ?? 0) + 1);
    for (const stack of stacks) {
      // A synthesizer shared by several stacks cannot say which stack it has just written.
      if (users.get(stack.synthesizer) !== 1) continue;
      const synthesizer = stack.synthesizer;
      const synthesize = synthesizer.synthesize;
      synthesizer.synthesize = (session: ISynthesisSession) => {
        synthesize.call(synthesizer, session);
        const [account, region] = stack.environment.replace(/^aws:\/\//, '').split('/');
        this.validateEarly({
          templatePath: path.join(session.outdir, stack.templateFile),
          accountId: account !== cxapi.UNKNOWN_ACCOUNT ? account : undefined,
          region: region !== cxapi.UNKNOWN_REGION ? region : undefined,
        });
      };
    }
  }

  /** Validates one written template in the worker now (see validateTemplatesAsWritten). */
  public validateEarly(template: { readonly templatePath: string; readonly accountId?: string; readonly region?: string }): void {
    if (this.started !== undefined) return;
    this.port.postMessage({ early: { templatePath: template.templatePath, accountId: template.accountId, region: template.region } });
  }

  /** Blocks until the worker has validated every template handed to it early so far (tests). */
  public waitForEarlyValidations(): void {
    if (this.started !== undefined) return;
    Atomics.store(this.state, 0, 0);
    this.port.postMessage({ ping: true });
    const answer = this.receive();
    if (!answer.pong) throw new Error(`CloudFormation validation (worker thread): ${answer.error ?? 'no answer'}`);
  }

  /** Starts validating these templates in the worker (idempotent for the same templates). */
  public start(stackTemplates: StackTemplates): void {
    const key = JSON.stringify(stackTemplates);
    if (this.started === key) return;
    if (this.started !== undefined) this.collect();
    this.started = key;
    this.answer = undefined;
    Atomics.store(this.state, 0, 0);
    this.port.postMessage({ stackTemplates: stackTemplates.map((s) => ({ ...s })) });
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.start(context.stackTemplates);
    const answer = this.collect();
    void this.worker.terminate();
    if (answer.error !== undefined || !answer.report) throw new Error(`CloudFormation validation (worker thread) failed: ${answer.error}`);
    return answer.report;
  }

  public get version(): string | undefined {
    return this.answer?.version;
  }

  public get ruleIds(): string[] | undefined {
    return this.answer?.ruleIds;
  }

  /** How many templates of the last validation were validated as they were written. */
  public get earlyReportsUsed(): number {
    return this.answer?.earlyUsed ?? 0;
  }

  /** How many templates of the last validation took the report kept by an earlier synth (ValidatorWorkerOptions.reportCache). */
  public get cachedReportsUsed(): number {
    return this.answer?.cacheUsed ?? 0;
  }

  /** Whether the worker loaded the validator's engine (not needed when every report was kept). */
  public get engineLoaded(): boolean {
    return this.answer?.engineLoaded ?? false;
  }

  /** Blocks until the worker answers the started job. */
  private collect(): WorkerAnswer {
    if (this.answer) return this.answer;
    this.answer = this.receive();
    return this.answer;
  }

  /** Blocks until the worker's next answer. */
  private receive(): WorkerAnswer {
    const deadline = Date.now() + COLLECT_TIMEOUT_MS;
    while (Date.now() < deadline) {
      Atomics.wait(this.state, 0, 0, 1000);
      const message = receiveMessageOnPort(this.port);
      if (message) return message.message as WorkerAnswer;
    }
    return { error: `no answer within ${COLLECT_TIMEOUT_MS / 60000} minutes` };
  }
}
