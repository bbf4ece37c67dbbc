import { type Command } from 'commander';

export function register(program: Command): void {
  program
    .command('web')
    .description('Run the web app (agency pages, staff dashboards, the API at /api, docs at /api/docs) until Ctrl-C; needs KYBAO_LINK_SECRET and KYBAO_SESSION_SECRET')
    .option('--port <PORT>', 'port (env KYBAO_WEB_PORT, default 8080)')
    .option('--host <HOST>', 'address to listen on (env KYBAO_WEB_HOST, default 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      // Loaded only here: the other commands (and --help) do not pay for the web server's modules.
      const { startWeb } = await import('../../web/main');
      const web = await startWeb({ ...process.env, ...(opts.port ? { KYBAO_WEB_PORT: opts.port } : {}), ...(opts.host ? { KYBAO_WEB_HOST: opts.host } : {}) });
      process.stderr.write(`kybao web listening on ${web.address}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await web.close();
    });
}
