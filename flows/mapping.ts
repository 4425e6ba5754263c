// .map() over a list with a constant passed whole by unmapped(), then a
// subflow per group run at once with Promise.all, and a shell task.
import { flow, shellTask, task, unmapped } from 'flowrun';

export const scale = task('scale', (value: number, factor: number) => value * factor);

export const total = task('total', (values: number[]) => values.reduce((sum, value) => sum + value, 0));

export const countFiles = shellTask({ name: 'count_files', command: ['ls', '-1', 'flows'] });

export const group = flow({ name: 'group', flowRunName: 'group-{label}' }, async ({ label, values }: { label: string; values: number[] }) => {
  const scaled = scale.map(values, unmapped(10));
  return { label, total: await total(scaled) };
});

export default flow({ name: 'mapping' }, async () => {
  const groups = await Promise.all([group({ label: 'small', values: [1, 2, 3] }), group({ label: 'large', values: [100, 200] })]);
  for (const { label, total: sum } of groups) {
    console.log(`${label}: ${sum}`);
  }
  const listing = await countFiles.submit();
  console.log(`${listing.split('\n').length} files in flows/`);
});
