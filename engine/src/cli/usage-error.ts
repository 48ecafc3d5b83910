// A command line the `onsale` CLI cannot run (a flag value out of range): printed with the
// usage and exit code 2, not as a stack trace.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
