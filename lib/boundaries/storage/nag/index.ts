export * from './tenant-bucket-protection';
