/** The sandbox's typed errors. */

export class SandboxError extends Error {
  override readonly name: string = 'SandboxError';
}

/** Options that do not validate; names the option and what was expected. */
export class SandboxOptionsError extends SandboxError {
  override readonly name = 'SandboxOptionsError';
}
