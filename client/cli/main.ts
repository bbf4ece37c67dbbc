import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    // One line, no stack: the reason and what to do are in the message.
    process.stderr.write(`kybao: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
