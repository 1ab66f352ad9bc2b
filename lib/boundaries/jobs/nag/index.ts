export * from './tenant-queue';
export * from './tenant-queue-protection';
export * from './tenant-queue-tag';
