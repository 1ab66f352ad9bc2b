export * from './pooled-table';
export * from './silo-table';
