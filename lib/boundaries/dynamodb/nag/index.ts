export * from './pooled-table-access';
