import readline from 'node:readline';
import { addUser, disableUser, listUsers } from '../../../app/users';
import { systemClock } from '../../../app/context';
import { STAFF_ROLES } from '../../../app/staff-roles';
import { settingsFrom, withDatabase, type ConnectionFlags } from '../connection';
import { print, printJson, table } from '../output';
import { actorOf } from '../commands/common';
import { quoted } from '../../../domain/text/quoted';

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

export interface UserAddFlags extends ConnectionFlags {
  role: string;
  name?: string;
  passwordStdin?: boolean;
  by?: string;
  json?: boolean;
}

/** `kybao user add`: a staff account; the password from the terminal (twice) or stdin, stored only as a hash. */
export async function userAdd(email: string, opts: UserAddFlags): Promise<void> {
  // A wrong role is refused before anyone types a password for nothing.
  if (!(STAFF_ROLES as readonly string[]).includes(opts.role)) throw new Error(`${quoted(opts.role)} is not a role; use one of ${STAFF_ROLES.join(', ')}`);
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
}

/** `kybao user list`: staff accounts (never their passwords). */
export async function userList(opts: ConnectionFlags & { json?: boolean }): Promise<void> {
  const users = await withDatabase(settingsFrom(opts), (db) => listUsers(db));
  if (opts.json) return printJson(users);
  print(table(['email', 'role', 'name', 'state'], users.map((u) => [u.email, u.role, u.name ?? '', u.disabled ? 'disabled' : 'active'])));
}

/** `kybao user disable`: the account stays, its sessions end. */
export async function userDisable(email: string, opts: ConnectionFlags & { by?: string; json?: boolean }): Promise<void> {
  const u = await withDatabase(settingsFrom(opts), (db) => disableUser(db, { email, by: actorOf(opts.by) }, systemClock));
  if (opts.json) return printJson(u);
  print(`user ${u.email} disabled; their sessions have ended`);
}
