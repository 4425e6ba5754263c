import type { LogStyles } from '../logging/styles.js';
import { PLAIN_STYLES } from '../logging/styles.js';

export interface ColourInput {
  /** false for --no-color. */
  readonly flag: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stream: { readonly isTTY?: boolean };
}

/**
 * --no-color or NO_COLOR (https://no-color.org): plain text even on a
 * terminal, so neither colour nor a spinner (API.md section 4).
 */
export const asksForPlainText = ({ flag, env }: Omit<ColourInput, 'stream'>): boolean =>
  !flag || (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '');

// Colour on a terminal only. --no-color and NO_COLOR turn it off; FORCE_COLOR
// turns it on off a terminal (FORCE_COLOR=0 off).
// Returns a chalk level: 0 none, 1 basic, 2 256 colours, 3 truecolor.
export const chooseColourLevel = ({ flag, env, stream }: ColourInput): 0 | 1 | 2 | 3 => {
  if (asksForPlainText({ flag, env })) {
    return 0;
  }
  const force = env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === '0' || force === 'false') {
      return 0;
    }
    const level = Number(force);
    return level === 2 || level === 3 ? level : 1;
  }
  return stream.isTTY === true && env['TERM'] !== 'dumb' ? 1 : 0;
};

export const createStyles = async (level: 0 | 1 | 2 | 3): Promise<LogStyles> => {
  if (level === 0) {
    return PLAIN_STYLES;
  }
  const [{ Chalk }, { createColourStyles }] = await Promise.all([import('chalk'), import('../logging/styles.js')]);
  return createColourStyles(new Chalk({ level }));
};
