// Where the distributed runner and `flow worker` meet unless told otherwise,
// and what a Redis URL and a queue name must look like: one place for the
// settings schema and the runner's own options. It imports nothing, so that
// the settings can name them without loading the runner.

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_QUEUE = 'flowrun';

/** redis:// or rediss:// (TLS), then anything without spaces. */
export const REDIS_URL_PATTERN = /^rediss?:\/\/\S+$/;
/** A queue name also names Redis keys: no ':' or spaces. */
export const QUEUE_NAME_PATTERN = /^[\w.-]+$/;
