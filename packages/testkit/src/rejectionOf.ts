/** The error a promise rejects with, for assertions on it; throws if the promise resolves instead. */
export function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, but the promise resolved');
    },
    (error: Error) => error,
  );
}
