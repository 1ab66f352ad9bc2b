/**
 * Resolves CloudFormation intrinsics into symbolic values: `Ref`, `Fn::GetAtt`, `Fn::Join`,
 * `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::If` (+ Conditions), `Fn::FindInMap`,
 * `Fn::ImportValue` (exports of every stack of the assembly), nested-stack parameters and
 * outputs, and pseudo parameters.
 *
 * Names and ARNs keep the logical id (resource-kinds.ts), so a finding points at the resource.
 * What cannot be resolved becomes a placeholder `{{unresolved:...}}`, which matches nothing in
 * a policy, and is recorded in `unresolved` so the report says so: never silently dropped.
 */
import { LoadedAssembly, LoadedStack } from './assembly-loader';
import { Env, kindOf, NamingInput } from './resource-kinds';

export interface Unresolved {
  readonly stack: string;
  readonly templateFile: string;
  readonly logicalId: string;
  readonly reason: string;
}

export interface ResolverOptions {
  /** Account id for env-agnostic stacks. @default '111111111111' */
  readonly account?: string;
  /** Region for env-agnostic stacks. @default 'us-east-1' */
  readonly region?: string;
  /** @default 'aws' */
  readonly partition?: string;
}

export const DEFAULT_ACCOUNT = '111111111111';
export const DEFAULT_REGION = 'us-east-1';
const NO_VALUE = Symbol('AWS::NoValue');

export function isUnresolved(s: string): boolean {
  return s.includes('{{unresolved:');
}

export class Resolver {
  public readonly unresolved: Unresolved[] = [];
  private readonly props = new Map<string, Record<string, unknown>>();
  private readonly conditions = new Map<string, boolean | undefined>();
  private readonly inProgress = new Set<string>();
  private exports?: Map<string, { stack: LoadedStack; output: string }>;
  private readonly byNested = new Map<string, LoadedStack>();

  constructor(
    private readonly assembly: LoadedAssembly,
    private readonly options: ResolverOptions = {},
  ) {
    for (const s of assembly.stacks) {
      if (s.parent) this.byNested.set(`${s.parent.stack.id}\u0000${s.parent.logicalId}`, s);
    }
  }

  public env(stack: LoadedStack): Env {
    return {
      partition: this.options.partition ?? 'aws',
      account: stack.account ?? this.options.account ?? DEFAULT_ACCOUNT,
      region: stack.region ?? this.options.region ?? DEFAULT_REGION,
      stackName: stack.stackName,
    };
  }

  /** Resolved properties of a resource (cached). */
  public properties(stack: LoadedStack, logicalId: string): Record<string, unknown> {
    const key = `${stack.id}\u0000${logicalId}`;
    const cached = this.props.get(key);
    if (cached) return cached;
    if (this.inProgress.has(key)) return {}; // a cycle: the caller's reference becomes symbolic
    this.inProgress.add(key);
    const raw = stack.template.Resources[logicalId]?.Properties ?? {};
    const out = this.resolve(stack, raw, logicalId) as Record<string, unknown>;
    this.inProgress.delete(key);
    this.props.set(key, out);
    return out;
  }

  private naming(stack: LoadedStack, logicalId: string): NamingInput {
    const key = `${stack.id}\u0000${logicalId}`;
    // A reference back to a resource being resolved (a cycle) gets its symbolic name.
    const props = this.inProgress.has(key) ? {} : this.properties(stack, logicalId);
    return { logicalId, props, env: this.env(stack) };
  }

  /** Physical (or symbolic) name of a resource. */
  public nameOf(stack: LoadedStack, logicalId: string): string {
    const r = stack.template.Resources[logicalId];
    return kindOf(r.Type).name(this.naming(stack, logicalId));
  }

  /** ARN (or symbolic ARN) of a resource. */
  public arnOf(stack: LoadedStack, logicalId: string): string {
    const r = stack.template.Resources[logicalId];
    const i = this.naming(stack, logicalId);
    const kind = kindOf(r.Type);
    return kind.arn(kind.name(i), i);
  }

  private refOf(stack: LoadedStack, logicalId: string): string {
    const r = stack.template.Resources[logicalId];
    const kind = kindOf(r.Type);
    const i = this.naming(stack, logicalId);
    const name = kind.name(i);
    switch (kind.ref) {
      case 'name':
        return name;
      case 'arn':
        return kind.arn(name, i);
      case 'url':
        return `https://sqs.${i.env.region}.amazonaws.com/${i.env.account}/${name}`;
      default:
        return logicalId;
    }
  }

  private fail(stack: LoadedStack, at: string, reason: string): string {
    this.unresolved.push({ stack: stack.stackName, templateFile: stack.templateFile, logicalId: at, reason });
    return `{{unresolved:${reason}}}`;
  }

  private pseudo(stack: LoadedStack, name: string): string | typeof NO_VALUE | undefined {
    const env = this.env(stack);
    switch (name) {
      case 'AWS::Partition':
        return env.partition;
      case 'AWS::AccountId':
        return env.account;
      case 'AWS::Region':
        return env.region;
      case 'AWS::StackName':
        return stack.stackName;
      case 'AWS::StackId':
        return `arn:${env.partition}:cloudformation:${env.region}:${env.account}:stack/${stack.stackName}/audit`;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return undefined;
      default:
        return undefined;
    }
  }

  private parameter(stack: LoadedStack, name: string, at: string): unknown {
    if (stack.parent) {
      const parentProps = this.properties(stack.parent.stack, stack.parent.logicalId);
      const params = parentProps.Parameters as Record<string, unknown> | undefined;
      if (params && name in params) return params[name];
    }
    const def = stack.template.Parameters?.[name];
    if (!def) return this.fail(stack, at, `Ref to unknown name ${name}`);
    if (def.Default !== undefined) {
      // CDK bootstrap-version parameters and similar: the default is what a deploy would use.
      if (typeof def.Type === 'string' && def.Type.startsWith('AWS::SSM::Parameter::Value')) {
        return `{{ssm:${String(def.Default)}}}`;
      }
      return this.resolve(stack, def.Default, at);
    }
    return this.fail(stack, at, `parameter ${name} has no default and no value`);
  }

  private ref(stack: LoadedStack, name: string, at: string): unknown {
    const p = this.pseudo(stack, name);
    if (p !== undefined) return p;
    if (stack.template.Resources[name]) return this.refOf(stack, name);
    return this.parameter(stack, name, at);
  }

  private getAtt(stack: LoadedStack, logicalId: string, attr: string, at: string): unknown {
    const r = stack.template.Resources[logicalId];
    if (!r) return this.fail(stack, at, `GetAtt on unknown resource ${logicalId}`);
    if (r.Type === 'AWS::CloudFormation::Stack' && attr.startsWith('Outputs.')) {
      const child = this.byNested.get(`${stack.id}\u0000${logicalId}`);
      const out = child?.template.Outputs?.[attr.slice('Outputs.'.length)];
      if (!child || !out) return this.fail(stack, at, `nested stack output ${logicalId}.${attr} not found`);
      return this.resolve(child, out.Value, at);
    }
    if (r.Type === 'Custom::AWSCDKCfnJson' && attr === 'Value') return this.cfnJson(stack, logicalId, at);
    const kind = kindOf(r.Type);
    if (attr === 'Arn' || kind.attrs?.[attr] === 'arn') return this.arnOf(stack, logicalId);
    if (kind.attrs?.[attr] === 'name') return this.nameOf(stack, logicalId);
    // Any other attribute: a symbolic value that keeps the logical id.
    return `${logicalId}.${attr}`;
  }

  /**
   * CDK's `CfnJson` (aws-cdk-lib/core cfn-json.ts) writes a JSON value whose keys hold tokens as
   * a custom resource `Custom::AWSCDKCfnJson` with the JSON text in its `Value` property; the
   * resource returns the parsed value as attribute `Value` (e.g. the EKS IRSA trust condition
   * `StringEquals: {"Fn::GetAtt": [<CfnJson>, "Value"]}`). Resolve the text and parse it.
   */
  private cfnJson(stack: LoadedStack, logicalId: string, at: string): unknown {
    const v = this.properties(stack, logicalId).Value;
    if (typeof v !== 'string') return v ?? this.fail(stack, at, `CfnJson ${logicalId} has no Value`);
    try {
      return JSON.parse(v);
    } catch {
      return this.fail(stack, at, `CfnJson ${logicalId}.Value is not JSON once resolved`);
    }
  }

  private importValue(stack: LoadedStack, name: unknown, at: string): unknown {
    const n = this.resolve(stack, name, at);
    if (typeof n !== 'string') return this.fail(stack, at, 'ImportValue of a non-string name');
    if (!this.exports) {
      this.exports = new Map();
      for (const s of this.assembly.stacks) {
        for (const [outId, out] of Object.entries(s.template.Outputs ?? {})) {
          if (out.Export?.Name === undefined) continue;
          const en = this.resolve(s, out.Export.Name, outId);
          if (typeof en === 'string') this.exports.set(en, { stack: s, output: outId });
        }
      }
    }
    const e = this.exports.get(n);
    if (!e) return this.fail(stack, at, `ImportValue ${n}: no stack of the assembly exports it`);
    return this.resolve(e.stack, e.stack.template.Outputs![e.output].Value, at);
  }

  private condition(stack: LoadedStack, name: string, at: string): boolean | undefined {
    const key = `${stack.id}\u0000${name}`;
    if (this.conditions.has(key)) return this.conditions.get(key);
    const def = stack.template.Conditions?.[name];
    const v = def === undefined ? undefined : this.evalCondition(stack, def, at);
    this.conditions.set(key, v);
    return v;
  }

  private evalCondition(stack: LoadedStack, c: unknown, at: string): boolean | undefined {
    if (typeof c !== 'object' || c === null) return undefined;
    const [fn, arg] = Object.entries(c as Record<string, unknown>)[0] ?? [];
    const args = Array.isArray(arg) ? arg : [];
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = args.map((x) => this.resolve(stack, x, at));
        if (typeof a === 'string' && isUnresolved(a)) return undefined;
        if (typeof b === 'string' && isUnresolved(b)) return undefined;
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::And': {
        const vs = args.map((x) => this.evalCondition(stack, x, at));
        return vs.includes(false) ? false : vs.includes(undefined) ? undefined : true;
      }
      case 'Fn::Or': {
        const vs = args.map((x) => this.evalCondition(stack, x, at));
        return vs.includes(true) ? true : vs.includes(undefined) ? undefined : false;
      }
      case 'Fn::Not': {
        const v = this.evalCondition(stack, args[0], at);
        return v === undefined ? undefined : !v;
      }
      case 'Condition':
        return typeof arg === 'string' ? this.condition(stack, arg, at) : undefined;
      default:
        return undefined;
    }
  }

  /** Whether a resource's `Condition` holds (undefined when undecidable: the resource is audited). */
  public resourceCondition(stack: LoadedStack, logicalId: string): boolean | undefined {
    const c = stack.template.Resources[logicalId]?.Condition;
    return c === undefined ? true : this.condition(stack, c, logicalId);
  }

  private sub(stack: LoadedStack, arg: unknown, at: string): unknown {
    const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
    if (typeof text !== 'string') return this.fail(stack, at, 'Fn::Sub with a non-string template');
    const resolvedVars = this.resolve(stack, vars ?? {}, at) as Record<string, unknown>;
    return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in resolvedVars) return String(resolvedVars[name]);
      const p = this.pseudo(stack, name);
      if (typeof p === 'string') return p;
      const dot = name.indexOf('.');
      if (dot > 0 && stack.template.Resources[name.slice(0, dot)]) {
        return String(this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1), at));
      }
      if (stack.template.Resources[name] || stack.template.Parameters?.[name]) return String(this.ref(stack, name, at));
      // `${aws:...}` and friends: an IAM policy variable the template author did not escape.
      if (name.includes(':')) return whole;
      return this.fail(stack, at, `Fn::Sub variable \${${name}} not found`);
    });
  }

  /** Resolves a value found in `stack` (at resource `at`, for error reports). */
  public resolve(stack: LoadedStack, v: unknown, at: string): unknown {
    if (Array.isArray(v)) {
      return v.map((x) => this.resolve(stack, x, at)).filter((x) => x !== NO_VALUE);
    }
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const k = keys[0];
      const a = o[k];
      switch (k) {
        case 'Ref':
          return typeof a === 'string' ? this.ref(stack, a, at) : this.fail(stack, at, 'Ref to a non-string');
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(a) ? a : typeof a === 'string' ? [a.split('.')[0], a.split('.').slice(1).join('.')] : [];
          const attrName = this.resolve(stack, attr, at);
          return typeof id === 'string' && typeof attrName === 'string' ? this.getAtt(stack, id, attrName, at) : this.fail(stack, at, 'malformed Fn::GetAtt');
        }
        case 'Fn::Join': {
          const [sep, parts] = Array.isArray(a) ? a : [];
          const rp = this.resolve(stack, parts, at);
          if (typeof sep !== 'string' || !Array.isArray(rp)) return this.fail(stack, at, 'malformed Fn::Join');
          return rp.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(sep);
        }
        case 'Fn::Sub':
          return this.sub(stack, a, at);
        case 'Fn::Select': {
          const [idx, list] = Array.isArray(a) ? a : [];
          const i = Number(this.resolve(stack, idx, at));
          const l = this.resolve(stack, list, at);
          if (!Array.isArray(l) || !Number.isInteger(i) || i < 0 || i >= l.length) return this.fail(stack, at, 'Fn::Select out of range or on a non-list');
          return l[i];
        }
        case 'Fn::Split': {
          const [sep, s] = Array.isArray(a) ? a : [];
          const rs = this.resolve(stack, s, at);
          if (typeof sep !== 'string' || typeof rs !== 'string') return this.fail(stack, at, 'malformed Fn::Split');
          return rs.split(sep);
        }
        case 'Fn::If': {
          const [cond, yes, no] = Array.isArray(a) ? a : [];
          const c = typeof cond === 'string' ? this.condition(stack, cond, at) : undefined;
          if (c === undefined) return this.fail(stack, at, `Fn::If condition ${String(cond)} cannot be decided`);
          return this.resolve(stack, c ? yes : no, at);
        }
        case 'Fn::FindInMap': {
          const [m, k1, k2] = (Array.isArray(a) ? a : []).map((x) => this.resolve(stack, x, at));
          const val = stack.template.Mappings?.[String(m)]?.[String(k1)]?.[String(k2)];
          return val === undefined ? this.fail(stack, at, `Fn::FindInMap ${String(m)}.${String(k1)}.${String(k2)} not found`) : this.resolve(stack, val, at);
        }
        case 'Fn::ImportValue':
          return this.importValue(stack, a, at);
        case 'Fn::GetAZs': {
          const r = this.env(stack).region;
          return [`${r}a`, `${r}b`, `${r}c`];
        }
        case 'Fn::Base64':
          return this.resolve(stack, a, at);
        case 'Fn::Cidr':
          return ['{{cidr}}'];
        case 'Condition':
          return o;
        default:
          if (k.startsWith('Fn::')) return this.fail(stack, at, `intrinsic ${k} is not supported`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const r = this.resolve(stack, x, at);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
}
