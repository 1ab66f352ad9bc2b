/**
 * `tenant-isolation audit [cdk.out] [--config FILE] [--format text|json|sarif|markdown|html|surface]
 *  [--out FILE] [--engine builtin|aws] [--account ID] [--region NAME] [--quiet]`
 *
 * Exit codes: 0 clean, 1 findings (errors or warnings), 2 bad input (missing folder, malformed
 * manifest or template, bad config, no tenant model at all, bad arguments). Progress goes to
 * stderr, the report to stdout or --out.
 */
import * as fs from 'fs';
import { AssemblyError } from './assembly-loader';
import { AuditResult, hasFailingFindings, runAudit } from './audit';
import { ConfigError, loadConfig } from './config';
import { AuditEngine } from './engine/engine';
import { PolicyFormatError } from './policy-model';
import { ProgressLine } from './progress';
import { renderHtml } from './report/html';
import { renderJson } from './report/json';
import { renderMarkdown } from './report/markdown';
import { renderSarif } from './report/sarif';
import { renderSurface } from './report/surface';
import { renderText } from './report/text';
import { NoTenantModelError } from './tenant-model';

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stderr is a terminal: the progress line is rewritten in place. @default false */
  readonly stderrIsTTY?: boolean;
}

export const FORMATS = {
  text: renderText,
  json: renderJson,
  sarif: renderSarif,
  markdown: renderMarkdown,
  html: renderHtml,
  // The tenant access surface (surface.ts): what each tenant-facing principal can do, for snapshot review.
  surface: renderSurface,
} as const satisfies Record<string, (r: AuditResult) => string>;
type Format = keyof typeof FORMATS;

export const AUDIT_USAGE = `usage: tenant-isolation audit [cdk.out] [--config FILE] [--format text|json|sarif|markdown|html|surface] [--out FILE]
                             [--engine builtin|aws] [--account ID] [--region NAME] [--quiet]
Proves from synthesized templates that no principal of one tenant reaches another tenant's resources.
--format surface: the tenant access surface (what each tenant-facing principal can do, symbolic and stable) instead of the findings.
--config: the declared tenant model (default: tenant-isolation.json next to the assembly folder, when present).
--quiet: no progress on stderr (by default: stage lines, and for audits over 2 s or on a terminal a line with rate and time left).
Exit codes: 0 clean, 1 findings, 2 bad input (or no tenant model found).`;

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_BAD_INPUT = 2;

interface Parsed {
  dir: string;
  format: Format;
  out?: string;
  config?: string;
  engine: 'builtin' | 'aws';
  account?: string;
  region?: string;
  quiet: boolean;
  help: boolean;
}

function parseArgs(args: readonly string[]): Parsed {
  const p: Parsed = { dir: 'cdk.out', format: 'text', engine: 'builtin', quiet: false, help: false };
  let positional = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--format': {
        const f = value();
        if (!(f in FORMATS)) throw new UsageError(`--format must be one of ${Object.keys(FORMATS).join(', ')}, got ${JSON.stringify(f)}`);
        p.format = f as Format;
        break;
      }
      case '--out':
        p.out = value();
        break;
      case '--config':
        p.config = value();
        break;
      case '--engine': {
        const e = value();
        if (e !== 'builtin' && e !== 'aws') throw new UsageError(`--engine must be builtin or aws, got ${JSON.stringify(e)}`);
        p.engine = e;
        break;
      }
      case '--account': {
        const acct = value();
        if (!/^\d{12}$/.test(acct)) throw new UsageError(`--account must be 12 digits, got ${JSON.stringify(acct)}`);
        p.account = acct;
        break;
      }
      case '--region':
        p.region = value();
        break;
      case '--quiet':
        p.quiet = true;
        break;
      case '--help':
      case '-h':
        p.help = true;
        break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        if (positional++ > 0) throw new UsageError(`unexpected argument ${JSON.stringify(a)} (one assembly folder only)`);
        p.dir = a;
    }
  }
  return p;
}

class UsageError extends Error {}

/** Builds the `aws` engine; a separate module so the builtin path never loads the AWS SDK. */
async function awsEngine(p: Parsed, io: CommandIo): Promise<AuditEngine> {
  const { IAMClient } = await import('@aws-sdk/client-iam');
  const { AwsSimulatorEngine } = await import('./engine/aws-engine');
  const client = new IAMClient(p.region ? { region: p.region } : {});
  try {
    await client.config.credentials();
  } catch (e) {
    throw new UsageError(`--engine aws needs AWS credentials: ${(e as Error).message}`);
  }
  return new AwsSimulatorEngine(client, { onThrottle: (ms) => io.stderr(`IAM throttled; retrying in ${ms} ms\n`) });
}

export async function auditCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(args);
  } catch (e) {
    io.stderr(`error: ${(e as Error).message}\n${AUDIT_USAGE}\n`);
    return EXIT_BAD_INPUT;
  }
  if (p.help) {
    io.stdout(AUDIT_USAGE + '\n');
    return EXIT_CLEAN;
  }
  try {
    const config = loadConfig(p.dir, p.config);
    const engine = p.engine === 'aws' ? await awsEngine(p, io) : undefined;
    const progress = p.quiet ? undefined : new ProgressLine(io.stderr, { tty: io.stderrIsTTY === true });
    const result = await runAudit(p.dir, {
      config,
      ...(engine ? { engine } : {}),
      ...(p.account ? { account: p.account } : {}),
      ...(p.region ? { region: p.region } : {}),
      ...(progress
        ? {
            onProgress: (m: string) => io.stderr(`audit: ${m}\n`),
            onMatrixProgress: (done: number, total: number, requests: number) => progress.update(done, total, requests),
          }
        : {}),
    });
    progress?.end();
    const report = FORMATS[p.format](result);
    if (p.out) {
      fs.writeFileSync(p.out, report);
      if (!p.quiet) io.stderr(`audit: ${p.format} report written to ${p.out}\n`);
    } else {
      io.stdout(report);
    }
    return hasFailingFindings(result) ? EXIT_FINDINGS : EXIT_CLEAN;
  } catch (e) {
    if (e instanceof AssemblyError || e instanceof PolicyFormatError || e instanceof UsageError || e instanceof ConfigError || e instanceof NoTenantModelError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
}
