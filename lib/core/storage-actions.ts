/**
 * S3 and KMS action lists for tenant-scoped storage grants, named once so the constructs, the
 * silo bucket and the tests agree.
 *
 * Not granted on purpose: `s3:DeleteObjectVersion` (permanently destroys a version; offboarding
 * and purges are explicit operator actions), ACL and bucket-configuration actions.
 */
export const TENANT_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
] as const;

/** Listing: only ever granted with an `s3:prefix` condition under the tenant's prefix. */
export const TENANT_LIST_ACTIONS = ['s3:ListBucket'] as const;

/** What S3 asks KMS for on the caller's behalf: GenerateDataKey on PUT, Decrypt on GET and multipart. */
export const TENANT_KMS_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

/**
 * Support sessions (SupportAccessRole) read, never write: object reads, listings under the
 * tenant's prefix (`s3:prefix` applies to ListBucket and ListBucketVersions), and the one KMS
 * action a read needs. Everything else is denied to them by name-free `NotAction` Denies.
 */
export const SUPPORT_OBJECT_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'] as const;
export const SUPPORT_LIST_ACTIONS = ['s3:ListBucket', 's3:ListBucketVersions'] as const;
export const SUPPORT_KMS_ACTIONS = ['kms:Decrypt'] as const;

/**
 * Every bucket-level listing action. A fence denies them to a tenant-tagged principal unless
 * `s3:prefix` is under its own prefix (s3:prefix applies to ListBucket and ListBucketVersions; a
 * ListBucketMultipartUploads request carries `prefix` too, and without one it lists the bucket).
 */
export const BUCKET_LISTING_ACTIONS = ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'] as const;

/** Analytics: a tenant session reads its own partition `tenants/<id>/analytics/` (written by the pipeline alone). */
export const TENANT_ANALYTICS_READ_ACTIONS = ['s3:GetObject'] as const;
/** Analytics: Athena writes and reads a session's query results under `tenants/<id>/athena-results/`. */
export const TENANT_QUERY_RESULT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:DeleteObject'] as const;
