/**
 * Test support: a real DynamoDB-compatible engine, dynalite (npm, Apache-2.0; in-memory store),
 * on a random loopback port, started by the tests themselves and stopped after the suite. It
 * implements the DynamoDB JSON API (key conditions, expressions, GSIs, batches, validation), not
 * IAM (it accepts any signature) and not TransactWriteItems/TransactGetItems or PartiQL: IAM is
 * tested on the synthesized policies with the oracle (dynamodb-attack.test.ts).
 * It is a devDependency, so it is always there: nothing skips.
 */
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

// dynalite ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface DynaliteServer {
  readonly endpoint: string;
  /** A client with test-only admin credentials (dynalite checks none): creates tables, plays attackers. */
  admin(): DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: DynamoDBClient[] = [];
  return {
    endpoint,
    admin: () => {
      const c = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test-admin', secretAccessKey: 'test-admin' } });
      clients.push(c);
      return c;
    },
    stop: async () => {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
