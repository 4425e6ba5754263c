import type { ChalkInstance } from 'chalk';
import type { LogLevelName } from './levels.js';
import type { StateType } from '../states/state.js';

// The colours of LOGS.md. With colour off every style is the identity, so the
// formatter never branches on it.
export interface LogStyles {
  readonly level: (name: LogLevelName, text: string) => string;
  readonly state: (type: StateType, name: string, text: string) => string;
  readonly flowRunName: (text: string) => string;
  readonly flowName: (text: string) => string;
}

const identity = (text: string): string => text;

export const PLAIN_STYLES: LogStyles = {
  level: (_name, text) => text,
  state: (_type, _name, text) => text,
  flowRunName: identity,
  flowName: identity,
};

export const createColourStyles = (chalk: ChalkInstance): LogStyles => {
  const levelColours: Record<LogLevelName, (text: string) => string> = {
    DEBUG: identity,
    INFO: chalk.cyan,
    WARNING: chalk.yellow,
    ERROR: chalk.red,
    CRITICAL: chalk.redBright,
  };
  const stateColour = (type: StateType, name: string): ((text: string) => string) => {
    if (name === 'Cached') {
      return chalk.blueBright;
    }
    switch (type) {
      case 'COMPLETED':
        return chalk.green;
      case 'CANCELLED':
        return chalk.yellow;
      case 'FAILED':
        return chalk.red;
      case 'CRASHED':
        return chalk.redBright;
      default:
        return identity;
    }
  };
  return {
    level: (name, text) => levelColours[name](text),
    state: (type, name, text) => stateColour(type, name)(text),
    flowRunName: chalk.magenta,
    flowName: chalk.bold.magenta,
  };
};
