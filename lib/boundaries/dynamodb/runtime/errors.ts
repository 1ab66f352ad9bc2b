/** Refusals of the TenantTable helper: a class plus a stable `code`, as the other runtime errors. */
export type TenantTableErrorCode =
  /** A partition part is not a non-empty string. */
  | 'partition-part-invalid'
  /** The sort key is missing or not a non-empty string. */
  | 'sort-key-invalid'
  /** Item attributes name a key attribute; keys are built from the TenantContext only. */
  | 'attribute-is-a-key'
  /** An option the helper does not take (TableName, KeyConditionExpression, ExclusiveStartKey as raw input, ...). */
  | 'option-not-allowed'
  /** The index is not in the table schema. */
  | 'unknown-index'
  /** An expression names a partition-key attribute (table or index). */
  | 'expression-names-partition-key'
  /** An expression placeholder uses the helper's reserved prefix (`#tt_`, `:tt_`). */
  | 'expression-reserved-placeholder'
  /** An expression value is shaped like another tenant's partition key (`<other-id>#...`). */
  | 'expression-value-other-tenant'
  /** A pagination start key does not belong to the caller's tenant. */
  | 'start-key-other-tenant'
  /** A batch or transaction is empty or too large for DynamoDB. */
  | 'batch-size-invalid';

export class TenantTableError extends Error {
  public readonly code: TenantTableErrorCode;
  constructor(code: TenantTableErrorCode, message: string) {
    super(`${message} (code: ${code})`);
    this.name = 'TenantTableError';
    this.code = code;
  }
}
