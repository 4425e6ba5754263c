import { getGlobalSingleton } from './global-singleton.js';

// Whether this thread is one of the parallel runner's workers. A worker
// imports users' modules only to find their tasks; a flow those modules call
// at their top level must not start a run there.
const role = getGlobalSingleton('thread-role', () => ({ worker: false }));

export const markWorkerThread = (): void => {
  role.worker = true;
};

export const isWorkerThread = (): boolean => role.worker;
