/** Baseline for cold init: a bundle that builds a handler and imports nothing (Node's boot alone). */
export const handler = async () => ({ ok: true });
