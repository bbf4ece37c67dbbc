import { Command } from 'commander';
import { tameEchoes } from '../../domain/text/quoted';
import { register as registerCalendar } from './commands/calendar';
import { register as registerProgram } from './commands/program';
import { register as registerMail } from './commands/mail';
import { register as registerStatus } from './commands/status';
import { register as registerRound } from './commands/round';
import { register as registerSubmit } from './commands/submit';
import { register as registerExtend } from './commands/extend';
import { register as registerAppraise } from './commands/appraise';
import { register as registerPlan } from './commands/plan';
import { register as registerAudit } from './commands/audit';
import { register as registerSimulate } from './commands/simulate';
import { register as registerUser } from './commands/user';
import { register as registerLink } from './commands/link';
import { register as registerWeb } from './commands/web';
import { register as registerReport } from './commands/report';

/**
 * The kybao command tree. Each command lives in its own file under `commands/` and exports a
 * `register(program)` function; add new commands to the list below.
 */
export function buildProgram(): Command {
  const program = new Command('kybao')
    .description('kybao: reporting-period workflows and deadlines on Temporal')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str.split('\n').map(tameEchoes).join('\n')) });
  const registrations: Array<(p: Command) => void> = [
    // register functions go here
    registerCalendar,
    registerProgram,
    registerMail,
    registerStatus,
    registerRound,
    registerSubmit,
    registerExtend,
    registerReport,
    registerAppraise,
    registerPlan,
    registerAudit,
    registerSimulate,
    registerUser,
    registerLink,
    registerWeb,
  ];
  for (const register of registrations) register(program);
  return program;
}
