import readline from 'node:readline';
import { type Command, Option } from 'commander';
import { addUser, disableUser, listUsers } from '../../../app/users';
import { StaffRole } from '../../../app/roles';
import { systemClock } from '../../../app/context';
import { settingsFrom, withConnectionOptions, withDatabase, type ConnectionFlags } from '../connection';
import { print, printJson, table } from '../output';
import { actorOf, byOption } from './common';

/** Reads all of stdin (for --password-stdin), without the final newline. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks for a password on the terminal without echoing it. */
function ask(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
    out._writeToOutput = (s: string) => {
      if (s.includes(question)) out.output.write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export function register(program: Command): void {
  const user = program.command('user').description('Staff accounts of the web app (coordinator, appraiser, approver, auditor); agencies use signed links instead');

  withConnectionOptions(
    user
      .command('add')
      .description('Create a staff account; the password is asked on the terminal (twice) or read from stdin with --password-stdin, and stored only as an argon2id hash')
      .argument('<email>', 'the sign-in e-mail')
      .addOption(new Option('--role <ROLE>', `what the account may do: ${StaffRole.options.join(', ')}`).choices(StaffRole.options).makeOptionMandatory())
      .option('--name <NAME>', 'display name')
      .option('--password-stdin', 'read the password from standard input (for scripts)')
      .addOption(byOption('creates it'))
      .option('--json', 'print JSON'),
    { temporal: false, database: true },
  ).action(async (email: string, opts: ConnectionFlags & { role: string; name?: string; passwordStdin?: boolean; by?: string; json?: boolean }) => {
    let password: string;
    if (opts.passwordStdin) password = await readStdin();
    else if (process.stdin.isTTY) {
      password = await ask(`password for ${email}: `);
      if ((await ask('again: ')) !== password) throw new Error('the two passwords differ; nothing was created');
    } else throw new Error('no terminal to ask the password on: pipe it in with --password-stdin');
    const env = settingsFrom(opts);
    const created = await withDatabase(env, (db) => addUser(db, { email, role: opts.role, ...(opts.name ? { name: opts.name } : {}), password, by: actorOf(opts.by) }, systemClock));
    if (opts.json) return printJson(created);
    print(`user ${created.email} added as ${created.role}`);
  });

  withConnectionOptions(user.command('list').description('List staff accounts (never their passwords)').option('--json', 'print JSON'), { temporal: false, database: true }).action(
    async (opts: ConnectionFlags & { json?: boolean }) => {
      const users = await withDatabase(settingsFrom(opts), (db) => listUsers(db));
      if (opts.json) return printJson(users);
      print(table(['email', 'role', 'name', 'state'], users.map((u) => [u.email, u.role, u.name ?? '', u.disabled ? 'disabled' : 'active'])));
    },
  );

  withConnectionOptions(
    user.command('disable').description('Disable a staff account and end its sessions (the account and its history stay)').argument('<email>', 'the account').addOption(byOption('disables it')).option('--json', 'print JSON'),
    { temporal: false, database: true },
  ).action(async (email: string, opts: ConnectionFlags & { by?: string; json?: boolean }) => {
    const u = await withDatabase(settingsFrom(opts), (db) => disableUser(db, { email, by: actorOf(opts.by) }, systemClock));
    if (opts.json) return printJson(u);
    print(`user ${u.email} disabled; their sessions have ended`);
  });
}
