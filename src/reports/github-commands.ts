import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFlowrunFile } from '../util/own-files.js';

// GitHub Actions workflow commands (`::error title=...,file=...,line=...::message`),
// escaped as GitHub's toolkit escapes them: a message may not hold a raw
// newline or '%', and a property value not a ',' or ':' either, or the runner
// cuts the command short.

export const escapeCommandData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export const escapeCommandProperty = (text: string): string => escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export interface CommandProperties {
  readonly title?: string | undefined;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
}

export const workflowCommand = (command: 'error' | 'notice', message: string, properties: CommandProperties = {}): string => {
  const parts = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeCommandProperty(String(value))}`);
  return `::${command}${parts.length > 0 ? ` ${parts.join(',')}` : ''}::${escapeCommandData(message)}`;
};

const FRAME = /^\s*at (?:.*\()?((?:file:\/\/)?\/[^()]*?):(\d+):\d+\)?$/;

/**
 * The first frame of a stack in the user's code (not flowrun's, not a
 * package's, not Node's): its file relative to `cwd`, and its line. GitHub
 * shows the annotation on that line of the pull request.
 */
export const findUserFrame = (stack: string | undefined, cwd: string): { file: string; line: number } | undefined => {
  for (const line of stack?.split('\n') ?? []) {
    const match = FRAME.exec(line);
    const location = match?.[1];
    if (location === undefined || isFlowrunFile(location) || location.includes(`${sep}node_modules${sep}`)) {
      continue;
    }
    const path = location.startsWith('file://') ? fileURLToPath(location) : location;
    return { file: relative(cwd, path).split(sep).join('/'), line: Number(match?.[2]) };
  }
  return undefined;
};
