// Seed 000's imperative program in Prefect 1's style: Task subclasses whose
// run() takes one keyed object, wired with setDownstream(key) and bind.
//   npx flow run p1-imperative --param stop=5
//   npx flow graph p1-imperative --format mermaid
import { Flow, Parameter, Task } from 'flowrun';

// imperative: Task subclasses take their arguments as one keyed object
class RandomNum extends Task<{ stop: number }, number> {
  run({ stop }: { stop: number }) {
    const number = Math.floor(Math.random() * stop);
    console.log(`Your number is ${number}`);
    return number;
  }
}

class Sum extends Task<{ numbers: number[] }, void> {
  run({ numbers }: { numbers: number[] }) {
    console.log(numbers.reduce((a, b) => a + b, 0));
  }
}

export const imperative = new Flow('p1-imperative');
export default imperative;
const stop = new Parameter('stop');
const n1 = new RandomNum(), n2 = new RandomNum(), n3 = new RandomNum();
stop.setDownstream(n1, { key: 'stop', flow: imperative });
stop.setDownstream(n2, { key: 'stop', flow: imperative });
stop.setDownstream(n3, { key: 'stop', flow: imperative });
new Sum().bind({ numbers: [n1, n2, n3] }, { flow: imperative });
