/**
 * SqlExecutor over the RDS Data API: one transaction (BeginTransaction / ExecuteStatement with
 * the transactionId / CommitTransaction or RollbackTransaction), authenticated with the cluster's
 * master secret. The Data API runs on the writer only and takes one statement per call
 * (Aurora User Guide, data-api).
 */
import { BeginTransactionCommand, CommitTransactionCommand, ExecuteStatementCommand, RDSDataClient, RollbackTransactionCommand } from '@aws-sdk/client-rds-data';
import { SqlExecutor } from './run-bootstrap';

export interface DataApiTarget {
  readonly resourceArn: string;
  readonly secretArn: string;
  readonly database: string;
}

export class DataApiExecutor implements SqlExecutor {
  private transactionId?: string;

  constructor(
    private readonly target: DataApiTarget,
    private readonly client: RDSDataClient = new RDSDataClient({}),
  ) {}

  public async begin(): Promise<void> {
    const out = await this.client.send(new BeginTransactionCommand({ ...this.target }));
    if (!out.transactionId) throw new Error('BeginTransaction returned no transactionId');
    this.transactionId = out.transactionId;
  }

  public async execute(statement: string): Promise<void> {
    await this.client.send(new ExecuteStatementCommand({ ...this.target, sql: statement, transactionId: this.requireTransaction() }));
  }

  public async commit(): Promise<void> {
    const { resourceArn, secretArn } = this.target;
    await this.client.send(new CommitTransactionCommand({ resourceArn, secretArn, transactionId: this.requireTransaction() }));
    this.transactionId = undefined;
  }

  public async rollback(): Promise<void> {
    const { resourceArn, secretArn } = this.target;
    await this.client.send(new RollbackTransactionCommand({ resourceArn, secretArn, transactionId: this.requireTransaction() }));
    this.transactionId = undefined;
  }

  private requireTransaction(): string {
    if (!this.transactionId) throw new Error('no open transaction');
    return this.transactionId;
  }
}
