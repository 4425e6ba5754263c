import { pythonRepr } from '../util/python-repr.js';
import type { State } from './state.js';

// `Name('message', type=TYPE)`, exactly as Prefect prints a state: the message
// in Python-repr quotes when there is one, `type=` when the name is not the
// type's own name (Cached, TimedOut, NotReady...).
export const formatState = (state: Pick<State, 'name' | 'type' | 'message'>): string => {
  const parts: string[] = [];
  if (state.message !== undefined && state.message !== '') {
    parts.push(pythonRepr(state.message));
  }
  if (state.name.toUpperCase() !== state.type) {
    parts.push(`type=${state.type}`);
  }
  return `${state.name}(${parts.join(', ')})`;
};
