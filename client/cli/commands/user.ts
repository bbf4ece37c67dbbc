import { type Command, Option } from 'commander';
import { STAFF_ROLES } from '../../../app/staff-roles';
import type { ConnectionFlags } from './common';
import type { UserAddFlags } from '../actions/user';
import { byOption, withConnectionOptions } from './common';

export function register(program: Command): void {
  const user = program.command('user').description('Staff accounts of the web app (coordinator, appraiser, approver, auditor); agencies use signed links instead');

  withConnectionOptions(
    user
      .command('add')
      .description('Create a staff account; the password is asked on the terminal (twice) or read from stdin with --password-stdin, and stored only as an argon2id hash')
      .argument('<email>', 'the sign-in e-mail')
      .addOption(new Option('--role <ROLE>', `what the account may do: ${STAFF_ROLES.join(', ')}`).makeOptionMandatory())
      .option('--name <NAME>', 'display name')
      .option('--password-stdin', 'read the password from standard input (for scripts)')
      .addOption(byOption('creates it'))
      .option('--json', 'print JSON'),
    { temporal: false, database: true },
  ).action(async (email: string, opts: UserAddFlags) => (await import('../actions/user')).userAdd(email, opts));

  withConnectionOptions(user.command('list').description('List staff accounts (never their passwords)').option('--json', 'print JSON'), { temporal: false, database: true }).action(
    async (opts: ConnectionFlags & { json?: boolean }) => (await import('../actions/user')).userList(opts),
  );

  withConnectionOptions(
    user.command('disable').description('Disable a staff account and end its sessions (the account and its history stay)').argument('<email>', 'the account').addOption(byOption('disables it')).option('--json', 'print JSON'),
    { temporal: false, database: true },
  ).action(async (email: string, opts: ConnectionFlags & { by?: string; json?: boolean }) => (await import('../actions/user')).userDisable(email, opts));
}
