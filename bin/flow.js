#!/usr/bin/env node
// The `flow` command: checks the Node version, then starts the compiled CLI.
// Nothing else lives here (Node 20 cannot run TypeScript, so this stays JS).

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`error: flowrun needs Node.js 20 or newer; this is ${process.version}.\n`);
  process.exit(2);
}

// --debug prints stacks; the source maps that dist/ ships make their flowrun
// frames name src/*.ts lines instead of minified chunks. Node applies them
// only to modules loaded after this call, hence here, before the import, and
// only then: reading the maps is a start-up cost no other run needs.
if (process.argv.slice(2).includes('--debug')) {
  process.setSourceMapsEnabled(true);
}

const entry = new URL('../dist/cli/main.js', import.meta.url);
let main;
let flushStdio;
try {
  ({ main, flushStdio } = await import(entry.href));
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(entry.pathname)) {
    process.stderr.write('error: flowrun is not built; run `npm install` (or `npm run build`) in its directory first.\n');
    process.exit(2);
  }
  throw error;
}

const code = await main(process.argv);
// Exit now even if a flow left timers or sockets open: the run is over. First
// let stdout and stderr flush, so that no line is lost when they are pipes.
await flushStdio();
process.exit(code);
