import { isAbsolute, relative, resolve } from 'node:path';
import { describeNoFlowFiles, listFlowFiles, loadModuleFlows, type FoundFlow } from '../../flows/discover.js';
import { describeParameterType } from '../../settings/params.js';
import { loadProject } from '../../settings/project.js';
import { flowsDirFromCwd } from '../../settings/project-root.js';
import { resolveSettings } from '../../settings/resolve.js';
import { isSecretSchema, SECRET_MASK } from '../../settings/secret.js';
import { describeExpected, getDefault, getObjectShape, isOptionalField } from '../../settings/zod-introspect.js';
import { EXIT_CODES } from '../exit-codes.js';
import type { CliWorld } from '../world.js';

export interface LsCommandOptions {
  readonly config?: string;
}

// One row per parameter: name, type, and "required" or its default (a
// secret's reads SECRET_MASK: it is there, and that is all `flow ls` says).
const describeParameters = (item: FoundFlow): string[][] => {
  const schema = item.flow.params;
  if (schema === undefined) {
    return [['(any parameters: the flow has no schema)']];
  }
  const shape = getObjectShape(schema);
  if (shape === undefined) {
    return [[`(parameters: ${describeExpected(schema)})`]];
  }
  const rows = Object.entries(shape).map(([name, field]) => {
    const fallback = getDefault(field);
    const shown = (value: unknown): string => (isSecretSchema(field) ? SECRET_MASK : JSON.stringify(value));
    const status = fallback !== undefined ? `default ${shown(fallback.value)}` : isOptionalField(field) ? 'optional' : 'required';
    return [name, describeParameterType(field), status];
  });
  return rows.length > 0 ? rows : [['(no parameters)']];
};

const alignColumns = (rows: string[][], indent: string): string[] => {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  }
  return rows.map((row) => indent + row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  '));
};

/** `flow ls`: the flows in flowsDir with their parameters, on stdout. */
export const lsCommand = async (options: LsCommandOptions, world: CliWorld): Promise<number> => {
  const { config, root } = await loadProject({ cwd: world.cwd, explicitConfig: options.config });
  const flowsDir = flowsDirFromCwd(root, resolveSettings({ env: world.env, config }).values.flowsDir, world.cwd);
  const listing = await listFlowFiles(flowsDir, world.cwd);
  const { files } = listing;
  const lines: string[] = [];
  let broken = 0;
  for (const path of files) {
    let flows: FoundFlow[];
    try {
      flows = await loadModuleFlows(path, world.cwd);
    } catch (error) {
      broken += 1;
      world.stderr.write(`warning: ${(error as Error).message}\n`);
      continue;
    }
    for (const item of flows) {
      const where = item.exportName === 'default' ? item.file : `${item.file}:${item.exportName}`;
      lines.push(`${item.flow.name}  (${where})${item.flow.description ? ` - ${item.flow.description}` : ''}`);
      lines.push(...alignColumns(describeParameters(item), '    '));
    }
  }
  if (lines.length === 0 && !listing.exists) {
    world.stdout.write(`No flows found: ${describeNoFlowFiles(listing, world.cwd)}. Create it and put a module that exports flow(...) there, or set flowsDir.\n`);
  } else if (lines.length === 0) {
    // flowsDir is absolute when it lies outside the working directory (flowsDirFromCwd).
    const directory = isAbsolute(flowsDir) ? flowsDir : relative(world.cwd, resolve(world.cwd, flowsDir)) || flowsDir;
    world.stdout.write(`No flows found in ${directory}/. Put a module that exports flow(...) there, or set flowsDir.\n`);
  } else {
    world.stdout.write(`${lines.join('\n')}\n`);
  }
  return broken > 0 ? EXIT_CODES.usage : EXIT_CODES.completed;
};
