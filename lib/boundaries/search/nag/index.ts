export * from './multi-request-explicit-index';
export * from './all-index-paths';
