// Type tests: this file is only type-checked (`npm run typecheck`), never
// run. Each `expectType` pins what the public API infers; each
// `@ts-expect-error` is a misuse that must keep failing to compile.
import { flow, task, unmapped, z, type State, type TaskFuture } from 'flowrun';
// Types are the subject here: values are made only to be inspected by the compiler.
/* eslint-disable @typescript-eslint/no-unused-vars, @typescript-eslint/no-unsafe-call */

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T>(_value: T): void => undefined;
const assertTrue = <T extends true>(): T | undefined => undefined;

const double = task('double', (x: number) => x * 2);
const fetchName = task(async (id: string) => `name-${id}`);
const total = task('total', (numbers: number[]) => numbers.reduce((sum, n) => sum + n, 0));
const scale = task('scale', (x: number, factor: number) => x * factor);
const describePair = task((pair: { left: number; right: string }) => `${pair.left}${pair.right}`);

export const typed = flow({ name: 'typed', params: z.object({ stop: z.number(), label: z.string().default('x') }) }, async ({ stop, label }) => {
  assertTrue<Equal<typeof stop, number>>();
  assertTrue<Equal<typeof label, string>>();

  const doubled = double.submit(stop);
  assertTrue<Equal<typeof doubled, TaskFuture<number>>>();
  const named = fetchName.submit('7');
  assertTrue<Equal<typeof named, TaskFuture<string>>>();

  // Futures stand in for values, alone, in arrays and in objects.
  const sum = total.submit([doubled, 1, double.submit(2)]);
  expectType<TaskFuture<number>>(sum);
  expectType<TaskFuture<string>>(describePair.submit({ left: doubled, right: named }));

  const direct = await double(3);
  assertTrue<Equal<typeof direct, number>>();
  const mapped = double.map([1, 2, 3]);
  assertTrue<Equal<typeof mapped, TaskFuture<number>[]>>();
  expectType<TaskFuture<number>[]>(total.map([[1], [2, 3]]));
  expectType<TaskFuture<number>[]>(scale.map([1, 2, 3], unmapped(10)));
  // @ts-expect-error the constant must be a number
  scale.map([1, 2, 3], unmapped('10'));
  expectType<TaskFuture<string>[]>(fetchName.map(['a', 'b']));

  const state = await doubled.wait();
  expectType<State<number>>(state);
  expectType<number>(await doubled.result());
  expectType<{ id: string; name: string }>(doubled.taskRun);

  // @ts-expect-error a string is not a number
  double.submit('3');
  // @ts-expect-error a future of a string is not a number
  double.submit(named);
  // @ts-expect-error label is a string
  label.toFixed();
  return sum;
});

// Calling a flow takes its schema's input (defaults optional) and gives its return value.
export const callTyped = async (): Promise<number> => {
  const result = await typed({ stop: 5 });
  assertTrue<Equal<typeof result, number>>();
  // @ts-expect-error stop must be a number
  await typed({ stop: '5' });
  return result;
};

// A secret() parameter reaches the flow as a plain string, wrappers and all.
import { secret } from 'flowrun';
export const withSecret = flow(
  { name: 'with-secret', params: z.object({ token: secret().min(8), backup: secret().optional(), label: secret().default('x') }) },
  async ({ token, backup, label }) => {
    assertTrue<Equal<typeof token, string>>();
    assertTrue<Equal<typeof backup, string | undefined>>();
    assertTrue<Equal<typeof label, string>>();
  },
);
expectType<Parameter<string>>(new Parameter('token', { schema: secret() }));

// A flow without a schema types its parameters from the function.
export const untyped = flow(async ({ who }: { who: string }) => who.length);
export const callUntyped = async (): Promise<number> => untyped({ who: 'x' });

// The Prefect 1 API: a task called in a builder gives a node typed by its result.
import { Flow, Parameter, Task, type GraphNode } from 'flowrun';

export const graphFlow = new Flow('typed-graph', () => {
  const stop = new Parameter('stop');
  const doubled = double(stop);
  assertTrue<Equal<typeof doubled, GraphNode<number>>>();
  const summed = total([doubled, double(doubled)]);
  expectType<GraphNode<number>>(summed);
  // @ts-expect-error a node of a string is not a number
  double(fetchName(new Parameter<string>('id')));
});

class Greet extends Task<{ name: string }, string> {
  run({ name }: { name: string }) {
    return `hello ${name}`;
  }
}
const greet = new Greet();
expectType<GraphNode<string>>(greet);
greet.bind({ name: new Parameter<string>('name') }, { flow: graphFlow });
// @ts-expect-error name takes a string
greet.bind({ name: 5 }, { flow: graphFlow });

// A Parameter with a schema is typed by it; its default must fit the schema.
const typedStop = new Parameter('stop', { schema: z.number().int() });
assertTrue<Equal<typeof typedStop, Parameter<number>>>();
expectType<Parameter<string>>(new Parameter('name', { schema: z.string(), default: 'x' }));
// @ts-expect-error the default is not a number
new Parameter('stop', { schema: z.number(), default: 'five' });

// The builder is given its flow, for setReferenceTasks (Prefect 1's `with Flow(...) as flow:`).
export const referenceFlow = new Flow('typed-reference', (flow) => {
  const checked = double(new Parameter('x', { schema: z.number() }));
  flow.setReferenceTasks([checked]);
  expectType<GraphNode[]>(flow.referenceTasks());
});
