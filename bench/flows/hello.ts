// W4, start-up: a flow of one trivial task.
import { flow, task } from 'flowrun';

export const hello = task('hello', () => 'hello');

export default flow({ name: 'hello' }, async () => {
  await hello();
});
