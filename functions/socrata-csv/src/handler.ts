import { createHandler } from '@tributary/core';
import { source } from './source.ts';

export const handler = createHandler(source);
