import { existsSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { FlowLoadError, UnknownFlowError, UsageError } from '../errors.js';
import { findClosest } from '../util/closest.js';
import { describeNoFlowFiles, FLOW_FILE_EXTENSIONS, getModuleFlows, listFlowFiles, loadModuleFlows, type FoundFlow } from './discover.js';
import { importFlowModule } from './import-flow-module.js';
import { isFlow } from './flow.js';
import { displayPath } from '../util/display-path.js';

// Turns the `<flow>` of `flow run <flow>` into a flow: a name searched in
// flowsDir, a file path, or `path:exportName` (Prefect's entrypoint form).

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

const looksLikePath = (spec: string): boolean =>
  spec.includes('/') || spec.includes('\\') || FLOW_FILE_EXTENSIONS.includes(extname(spec));

// `path:export`, unless the colon belongs to the path itself (a Windows drive).
const splitEntrypoint = (spec: string): { path: string; exportName: string } | undefined => {
  const colon = spec.lastIndexOf(':');
  if (colon <= 1) {
    return undefined;
  }
  return { path: spec.slice(0, colon), exportName: spec.slice(colon + 1) };
};

const loadExport = async (path: string, exportName: string, cwd: string): Promise<FoundFlow> => {
  const module = await importFlowModule(path, cwd);
  const file = displayPath(path, cwd);
  const value = module[exportName];
  if (value === undefined) {
    const exports = Object.keys(module);
    throw new FlowLoadError(
      `${file} has no export '${exportName}'; it exports: ${exports.length > 0 ? exports.join(', ') : 'nothing'}.`,
    );
  }
  if (!isFlow(value)) {
    throw new FlowLoadError(`${file}:${exportName} is not a flow (it is a ${typeof value}); export a value made by flow().`);
  }
  const found = getModuleFlows({ [exportName]: value }, path, cwd)[0];
  if (found === undefined) {
    throw new FlowLoadError(`${file}:${exportName} is not a flow; export a value made by flow().`);
  }
  return found;
};

// A file given by path: its default export if that is a flow, else its only flow.
const chooseFlowInFile = (flows: FoundFlow[], file: string, preferredName?: string): FoundFlow => {
  const byName = preferredName === undefined ? undefined : flows.find((item) => item.flow.name === preferredName);
  const chosen = byName ?? flows.find((item) => item.exportName === 'default') ?? (flows.length === 1 ? flows[0] : undefined);
  if (chosen !== undefined) {
    return chosen;
  }
  if (flows.length === 0) {
    throw new FlowLoadError(`${file} exports no flow; export one made by flow() (e.g. export default flow(...)).`);
  }
  throw new UsageError(
    `${file} exports several flows (${flows.map((item) => item.exportName).join(', ')}); pick one with ${file}:<export>.`,
  );
};

const findByName = async (name: string, flowsDir: string, cwd: string): Promise<FoundFlow> => {
  const listing = await listFlowFiles(flowsDir, cwd);
  const { files } = listing;
  // A file named after the flow is the likely home: load it first.
  const namesake = files.find((path) => basename(path, extname(path)) === name);
  if (namesake !== undefined) {
    const flows = await loadModuleFlows(namesake, cwd);
    const match = flows.find((item) => item.flow.name === name) ?? chooseFlowInFile(flows, displayPath(namesake, cwd), name);
    return match;
  }
  const all: FoundFlow[] = [];
  const broken: string[] = [];
  for (const path of files) {
    try {
      all.push(...(await loadModuleFlows(path, cwd)));
    } catch {
      broken.push(displayPath(path, cwd));
    }
  }
  const matches = all.filter((item) => item.flow.name === name);
  if (matches.length === 1 && matches[0] !== undefined) {
    return matches[0];
  }
  if (matches.length > 1) {
    throw new UsageError(
      `flow name '${name}' is defined in ${matches.map((item) => `${item.file}:${item.exportName}`).join(' and ')}; run one by path (e.g. flow run ${matches[0]?.file}:${matches[0]?.exportName}).`,
    );
  }
  const names = [...new Set(all.map((item) => item.flow.name))].sort();
  const closest = findClosest(name, names);
  const hint =
    closest.length > 0
      ? `did you mean ${closest.map((item) => `'${item}'`).join(' or ')}?`
      : names.length > 0
        ? `available: ${names.join(', ')}`
        : files.length === 0
          ? describeNoFlowFiles(listing, cwd)
          : `no flows found in ${flowsDir}/`;
  const brokenNote = broken.length > 0 ? ` (${broken.join(', ')} could not be loaded: run them by path to see why)` : '';
  throw new UnknownFlowError(`unknown flow '${name}' in ${flowsDir}/: ${hint}${brokenNote} (see \`flow ls\`)`);
};

// A flow given by path: `path:export` whose path is a file, else a spec that
// is itself a file. Anything else is a name (or a path that does not exist).
const findGivenFile = (spec: string, cwd: string): { path: string; exportName?: string } | undefined => {
  const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(cwd, path));
  const entrypoint = splitEntrypoint(spec);
  if (entrypoint !== undefined && isFile(absolute(entrypoint.path))) {
    return { path: absolute(entrypoint.path), exportName: entrypoint.exportName };
  }
  return isFile(absolute(spec)) ? { path: absolute(spec) } : undefined;
};

/**
 * The file of a flow given by path (`flows/etl.ts`, `/srv/etl/x.ts:nightly`),
 * absolute; undefined for a flow given by name. The project root is searched
 * from its directory (settings/project-root.ts), by the same decision that
 * loadFlow makes.
 */
export const findFlowFile = (spec: string, cwd = process.cwd()): string | undefined => findGivenFile(spec, cwd)?.path;

export const loadFlow = async (spec: string, flowsDir: string, cwd = process.cwd()): Promise<FoundFlow> => {
  const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(cwd, path));
  const entrypoint = splitEntrypoint(spec);
  const given = findGivenFile(spec, cwd);
  if (given?.exportName !== undefined) {
    return loadExport(given.path, given.exportName, cwd);
  }
  if (given !== undefined) {
    return chooseFlowInFile(await loadModuleFlows(given.path, cwd), displayPath(given.path, cwd));
  }
  if (looksLikePath(spec) && existsSync(absolute(spec))) {
    throw new UsageError(`${spec} is a directory, not a flow file; give a file (e.g. ${spec.replace(/\/$/, '')}/etl.ts) or a flow name from \`flow ls\`.`);
  }
  if (looksLikePath(spec) || entrypoint !== undefined) {
    const path = entrypoint?.path ?? spec;
    throw new UsageError(`flow file ${path} does not exist (relative to ${cwd}); check the path, or give a flow name from \`flow ls\`.`);
  }
  return findByName(spec, flowsDir, cwd);
};
