#!/usr/bin/env node
import { isUserError } from './core/errors.js';
import { readableStack } from './core/stack.js';
import { main } from './cli/main.js';
import { UsageError } from './cli/command.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`baton-mcp: ${error.message}\nRun baton-mcp --help for usage.\n`);
      process.exit(2);
    }
    if (isUserError(error)) {
      process.stderr.write(`baton-mcp: ${error.toLine()}\n`);
      process.exit(2);
    }
    process.stderr.write(`baton-mcp: unexpected failure: ${readableStack(error)}\n`);
    process.exit(1);
  },
);
