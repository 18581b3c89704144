/**
 * `work`, started once the current task (and its microtasks) is done: a response returned
 * meanwhile is handed to the runtime before any of the work runs.
 */
export const afterThisTask = <T>(work: () => Promise<T>): Promise<T> =>
  new Promise<void>((resolve) => setTimeout(resolve, 0)).then(work);
