// Seed 000's functional program in Prefect 1's style: a Flow built in a
// builder function, where calling tasks adds nodes to the graph instead of
// running them. (flows/p1-imperative.ts is the same program written with
// Task classes.)
//   npx flow run p1-flow --param stop=5
//   npx flow graph p1-flow
import { Flow, Parameter } from 'flowrun';
// The same tasks as the Prefect 2 version of the program.
import { randomNum, sumNumbers } from './parallel-execution.js';

// functional: calls made inside the builder create graph nodes, not runs
export const functional = new Flow('p1-flow', () => {
  const stop = new Parameter('stop');
  const n1 = randomNum(stop);
  const n2 = randomNum(stop);
  const n3 = randomNum(stop);
  sumNumbers([n1, n2, n3]);
});

export default functional;
