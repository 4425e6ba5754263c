import { Pending, Running, type State } from './state.js';

// The Pending and Running states of task runs carry nothing but their
// timestamp, and states are never changed once made: runs that enter one in
// the same millisecond share it. A .map starts a hundred runs a millisecond,
// and each state it did not make is an object and a boxed number the garbage
// collector need not copy while the runs are in flight.
const sharedPerMillisecond = (make: (details: { timestamp: number }) => State): ((timestamp: number) => State) => {
  let last: State | undefined;
  return (timestamp) => {
    if (last?.timestamp !== timestamp) {
      last = make({ timestamp });
    }
    return last;
  };
};

export const pendingAt = sharedPerMillisecond(Pending);
export const runningAt = sharedPerMillisecond(Running);
