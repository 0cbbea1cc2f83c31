/** Field schemas the definition and the kinds' own schemas share. */
// A namespace import, not `{ z }`: esbuild tree-shakes it, and zod's locales (260 KB) stay out of the bundle.
import * as z from 'zod';

/** A name of a key in the source's secret `api-credentials/<name>`. */
export const SecretKey = z.string().min(1);

export const Scalar = z.union([z.string(), z.number(), z.boolean()]);
