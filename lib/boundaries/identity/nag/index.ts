export * from './tenant-data-grant-scope';
export * from './tenant-pattern-delimiter';
export * from './fail-open-tenant-condition';
export * from './tag-session-trust';
