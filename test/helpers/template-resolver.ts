/**
 * Test support: resolves the intrinsics of a synthesized template into concrete values for one
 * fixed, fake account, so attack tests can hand real-looking ARNs to a policy evaluator.
 *
 * It knows the attribute shapes of the resource types the blueprint uses; anything it cannot
 * resolve throws (a test must not evaluate a half-resolved policy).
 */
export const TEST_ENV = { account: '111122223333', region: 'eu-west-1', partition: 'aws' } as const;

type Json = unknown;
interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}
export interface TemplateJson {
  Resources: Record<string, Resource>;
  Parameters?: Record<string, { Default?: Json }>;
}

function nameOf(template: TemplateJson, logicalId: string, prop: string, fallback: () => string): string {
  const v = template.Resources[logicalId]?.Properties?.[prop];
  return v === undefined ? fallback() : String(resolve(template, v));
}

function attribute(template: TemplateJson, logicalId: string, attr: string | undefined): string {
  const res = template.Resources[logicalId];
  const { account, region, partition } = TEST_ENV;
  if (!res) {
    const param = template.Parameters?.[logicalId];
    if (param && param.Default !== undefined) return String(param.Default);
    throw new Error(`cannot resolve reference to ${logicalId}`);
  }
  const lower = logicalId.toLowerCase();
  switch (res.Type) {
    case 'AWS::S3::Bucket': {
      const name = nameOf(template, logicalId, 'BucketName', () => lower);
      if (!attr) return name;
      if (attr === 'Arn') return `arn:${partition}:s3:::${name}`;
      break;
    }
    case 'AWS::IAM::Role': {
      const name = nameOf(template, logicalId, 'RoleName', () => logicalId);
      const path = nameOf(template, logicalId, 'Path', () => '/');
      if (!attr) return name;
      if (attr === 'Arn') return `arn:${partition}:iam::${account}:role${path}${name}`;
      break;
    }
    case 'AWS::IAM::User': {
      const name = nameOf(template, logicalId, 'UserName', () => logicalId);
      const path = nameOf(template, logicalId, 'Path', () => '/');
      if (!attr) return name;
      if (attr === 'Arn') return `arn:${partition}:iam::${account}:user${path}${name}`;
      break;
    }
    case 'AWS::IAM::ManagedPolicy':
      if (!attr) return `arn:${partition}:iam::${account}:policy/${logicalId}`;
      break;
    case 'AWS::KMS::Key':
      if (!attr) return logicalId;
      if (attr === 'Arn') return `arn:${partition}:kms:${region}:${account}:key/${logicalId}`;
      break;
    case 'AWS::SQS::Queue': {
      const name = nameOf(template, logicalId, 'QueueName', () => logicalId);
      if (!attr) return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      if (attr === 'Arn') return `arn:${partition}:sqs:${region}:${account}:${name}`;
      if (attr === 'QueueName') return name;
      break;
    }
    case 'AWS::SecretsManager::Secret': {
      const name = nameOf(template, logicalId, 'Name', () => logicalId);
      if (!attr || attr === 'Id') return `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
      break;
    }
    case 'AWS::Glue::Database': {
      const input = template.Resources[logicalId].Properties?.DatabaseInput as { Name?: unknown } | undefined;
      if (!attr) return input?.Name !== undefined ? String(resolve(template, input.Name)) : lower;
      break;
    }
    case 'AWS::Lambda::Function': {
      const name = nameOf(template, logicalId, 'FunctionName', () => logicalId);
      if (!attr) return name;
      if (attr === 'Arn') return `arn:${partition}:lambda:${region}:${account}:function:${name}`;
      break;
    }
    case 'AWS::Logs::LogGroup': {
      const name = nameOf(template, logicalId, 'LogGroupName', () => logicalId);
      if (!attr) return name;
      if (attr === 'Arn') return `arn:${partition}:logs:${region}:${account}:log-group:${name}:*`;
      break;
    }
    default:
      if (!attr) return logicalId;
      if (attr === 'Arn') return `arn:${partition}:test:${region}:${account}:${logicalId}`;
  }
  throw new Error(`cannot resolve ${logicalId}.${attr} (${res.Type})`);
}

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': TEST_ENV.account,
  'AWS::Region': TEST_ENV.region,
  'AWS::Partition': TEST_ENV.partition,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and pseudo parameters, recursively. */
export function resolve(template: TemplateJson, value: Json): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(template, v));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, Json>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [k] = keys;
    const arg = obj[k];
    if (k === 'Ref') return PSEUDO[arg as string] ?? attribute(template, arg as string, undefined);
    if (k === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
      return attribute(template, id, attr);
    }
    if (k === 'Fn::Join') {
      const [sep, parts] = arg as [string, Json[]];
      return (resolve(template, parts) as Json[]).map(String).join(sep);
    }
    if (k === 'Fn::Select') {
      const [i, list] = arg as [number, Json];
      return (resolve(template, list) as Json[])[Number(i)];
    }
    if (k === 'Fn::Sub') {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
      return text.replace(/\$\{([^!}][^}]*)\}/g, (m, name: string) => {
        if (name in (vars as object)) return String(resolve(template, (vars as Record<string, Json>)[name]));
        if (PSEUDO[name]) return PSEUDO[name];
        if (name.includes(':') && !name.includes('.')) return m; // an IAM policy variable, e.g. ${aws:PrincipalTag/TenantId}
        const [id, attr] = name.split('.');
        return attribute(template, id, attr);
      });
    }
    if (k.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${k} in test resolver`);
  }
  return Object.fromEntries(keys.map((key) => [key, resolve(template, obj[key])]));
}

/** The logical ids of resources of one type. */
export function logicalIdsOfType(template: TemplateJson, type: string): string[] {
  return Object.keys(template.Resources).filter((id) => template.Resources[id].Type === type);
}
