import type { AuthFactory } from './types.ts';

/** No credentials. */
export const none: AuthFactory<'none'> = () => ({
  apply: async () => {},
  refresh: async () => false,
  queryParams: [],
});
