// A flow whose task fails: the task ends Failed with its stack in the log,
// the task that needs its result never runs (NotReady), an independent task
// still completes, and the flow run ends Failed('1/3 states failed.') (as in
// Prefect, NotReady counts as not final rather than failed) with exit
// status 1, so cron and CI see it.
import { flow, task } from 'flowrun';

export const checkDisk = task('check_disk', () => {
  throw new Error('disk on fire');
});

export const report = task('report', (status: string) => {
  console.log(`disk status: ${status}`);
});

export const sayHello = task('say_hello', (name: string) => {
  console.log(`hello, ${name}`);
  return name;
});

export default flow({ name: 'failing-task' }, async () => {
  const status = checkDisk.submit();
  report.submit(status);
  sayHello.submit('world');
});
