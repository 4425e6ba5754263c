// W4's floor for `flow run hello`: the same one trivial call, as a bare
// TypeScript script run with `node --import tsx`.
const hello = (): string => 'hello';
const typed: string = hello();
if (typed !== 'hello') {
  process.exitCode = 1;
}
