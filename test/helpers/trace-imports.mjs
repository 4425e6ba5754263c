// Preloaded with `node --import` by the start-up test: records the URL of
// every module the process resolves through the ESM loader into the file
// named by FLOWRUN_TRACE_FILE.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url, { data: { file: process.env.FLOWRUN_TRACE_FILE } });
