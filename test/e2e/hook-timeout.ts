/**
 * Starting a world installs the packaged app in a fresh Deno runtime: seconds on a quiet machine, more
 * than jest's 5 s default on a loaded one. Timeouts here are not assertions (none is a security bound).
 */
jest.setTimeout(120_000);
