import type { Program } from '../../domain/program/schema';
import type { AppClients } from '../../app/context';

/** What every plugin of the web app is given: the application's clients and the program it serves. */
export interface WebDeps {
  c: AppClients;
  program: Program;
  /** A prebuilt workflow bundle for replays (tests); default: bundle workflows/ on each replay. */
  replayBundle?: { code: string };
}
