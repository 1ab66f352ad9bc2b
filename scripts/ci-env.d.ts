/** See ci-env.js: true when `CI` is set to anything but empty, `false` or `0`. */
export declare function isCi(env?: Record<string, string | undefined>): boolean;
