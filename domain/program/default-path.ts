/**
 * Where the default program file is, apart from the loader so that naming it (a command's default
 * `--program`) does not load the YAML parser and the program schema.
 */
import * as path from 'node:path';

/** The program that ships with kybao: Decision 925/QĐ-UBND. */
export const defaultProgramPath = path.resolve(__dirname, '../../prisma/programs/decision-925.yaml');
