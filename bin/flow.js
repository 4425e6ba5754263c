#!/usr/bin/env node
// The `flow` command: checks the Node version, then starts the compiled CLI.
// Nothing else lives here (Node 20 cannot run TypeScript, so this stays JS).

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`error: flowrun needs Node.js 20 or newer; this is ${process.version}.\n`);
  process.exit(2);
}

const entry = new URL('../dist/cli/main.js', import.meta.url);
let main;
try {
  ({ main } = await import(entry.href));
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(entry.pathname)) {
    process.stderr.write('error: flowrun is not built; run `npm install` (or `npm run build`) in its directory first.\n');
    process.exit(2);
  }
  throw error;
}

const code = await main(process.argv);
// Exit now even if a flow left timers or sockets open: the run is over. First
// let stdout and stderr drain, so that no line is lost when they are pipes.
// A pipe whose reader is gone never drains: do not wait on it.
const drained = (stream) =>
  stream.writableLength === 0 || stream.destroyed
    ? Promise.resolve()
    : new Promise((resolve) => {
        stream.once('drain', resolve);
        stream.once('close', resolve);
        stream.once('error', resolve);
      });
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
