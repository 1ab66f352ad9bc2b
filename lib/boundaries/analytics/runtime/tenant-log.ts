/**
 * Structured logs and metrics that carry the tenant, taken from the TenantContext.
 *
 * Every line is one JSON object with `tenant` set from `ctx.tenant` (CloudWatch Logs Insights
 * discovers JSON fields: `filter tenant = "acme"`). Metrics use the CloudWatch embedded metric
 * format (EMF): the line itself is the metric, with dimension `TenantId` (and `Service` for the
 * all-tenant aggregate), so no PutMetricData call and no SDK.
 *
 * A caller cannot relabel a line: reserved fields (`tenant`, `level`, `message`, `time`,
 * `service`, `_aws`) are refused in `fields`, and so is any tenant-named field (`tenantId`,
 * `tenant_id`, ...) whose value is not the context's tenant — a log line of tenant A that names
 * tenant B is the same leak as an analytics event that does.
 *
 * Cost note: each TenantId value is its own CloudWatch metric (billed per metric); thousands of
 * tenants x metric names adds up — emit per-tenant metrics for what you bill or alarm on.
 */
import { foreignTenantField } from '../../../core/analytics-record-format';
import { assertTenantContext, TenantContext } from '../../identity/runtime/tenant-context';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** CloudWatch units accepted by EMF (a subset). */
export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'Bytes' | 'Percent' | 'None';

const RESERVED = new Set(['tenant', 'level', 'message', 'time', 'service', '_aws', 'TenantId', 'Service']);

export class TenantLogFieldError extends Error {
  public readonly code = 'field-refused' as const;
  constructor(message: string) {
    super(`${message} (code: field-refused)`);
    this.name = 'TenantLogFieldError';
  }
}

export interface TenantLoggerOptions {
  /** Service name on every line and the EMF `Service` dimension. */
  readonly service: string;
  /** @default 'TenantIsolation/App' */
  readonly namespace?: string;
  /** Where lines go. @default one line to stdout (Lambda/ECS ship stdout to CloudWatch Logs) */
  readonly sink?: (line: string) => void;
  /** Clock for tests. @default () => new Date() */
  readonly now?: () => Date;
}

export class TenantLogger {
  private readonly tenant: string;
  private readonly service: string;
  private readonly namespace: string;
  private readonly sink: (line: string) => void;
  private readonly now: () => Date;

  constructor(ctx: TenantContext, options: TenantLoggerOptions) {
    assertTenantContext(ctx, 'TenantLogger');
    this.tenant = ctx.tenant.value;
    this.service = options.service;
    this.namespace = options.namespace ?? 'TenantIsolation/App';
    this.sink = options.sink ?? ((line) => void process.stdout.write(`${line}\n`));
    this.now = options.now ?? (() => new Date());
  }

  public debug(message: string, fields: Record<string, unknown> = {}): void {
    this.log('debug', message, fields);
  }
  public info(message: string, fields: Record<string, unknown> = {}): void {
    this.log('info', message, fields);
  }
  public warn(message: string, fields: Record<string, unknown> = {}): void {
    this.log('warn', message, fields);
  }
  public error(message: string, fields: Record<string, unknown> = {}): void {
    this.log('error', message, fields);
  }

  /** One EMF metric line: `name` = `value`, dimensions [TenantId] and [Service]. */
  public metric(name: string, value: number, unit: MetricUnit = 'Count', fields: Record<string, unknown> = {}): void {
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,254}$/.test(name) || RESERVED.has(name)) throw new TenantLogFieldError(`metric name ${JSON.stringify(name)} is not allowed`);
    if (!Number.isFinite(value)) throw new TenantLogFieldError(`metric ${name} value must be a finite number`);
    this.check(fields);
    const time = this.now();
    this.sink(
      JSON.stringify({
        ...fields,
        _aws: {
          Timestamp: time.getTime(),
          CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: [['TenantId'], ['Service']], Metrics: [{ Name: name, Unit: unit }] }],
        },
        TenantId: this.tenant,
        Service: this.service,
        [name]: value,
        time: time.toISOString(),
        level: 'metric',
        service: this.service,
        tenant: this.tenant,
      }),
    );
  }

  private log(level: LogLevel, message: string, fields: Record<string, unknown>): void {
    this.check(fields);
    // Stamped fields last: nothing in `fields` can replace them (and check() refused the names).
    this.sink(JSON.stringify({ ...fields, time: this.now().toISOString(), level, service: this.service, message, tenant: this.tenant }));
  }

  private check(fields: Record<string, unknown>): void {
    for (const k of Object.keys(fields)) {
      if (RESERVED.has(k)) throw new TenantLogFieldError(`field ${JSON.stringify(k)} is set by the logger`);
    }
    let foreign: string | undefined;
    try {
      foreign = foreignTenantField(JSON.parse(JSON.stringify(fields)), this.tenant);
    } catch (e) {
      throw new TenantLogFieldError(`fields cannot be logged: ${(e as Error).message}`);
    }
    if (foreign !== undefined) throw new TenantLogFieldError(`field ${foreign} names a tenant other than ${this.tenant}`);
  }
}

/** A logger bound to the context's tenant. */
export function tenantLogger(ctx: TenantContext, options: TenantLoggerOptions): TenantLogger {
  return new TenantLogger(ctx, options);
}
