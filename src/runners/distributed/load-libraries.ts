import { createRequire } from 'node:module';
import type * as Bullmq from 'bullmq';
import type * as Ioredis from 'ioredis';

// BullMQ and ioredis, loaded when a run or a worker first needs them (a
// flow run on another runner never pays for them). Both are CommonJS
// packages; required as such they load in about two thirds of the time an
// import() takes (BullMQ: 140 ms against 200 ms here), which Node spends
// on its ESM build's many modules, or on lexing CommonJS exports.

const require = createRequire(import.meta.url);

export const loadBullmq = (): typeof Bullmq => require('bullmq') as typeof Bullmq;

export const loadIoredis = (): typeof Ioredis => require('ioredis') as typeof Ioredis;
