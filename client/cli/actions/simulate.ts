import { loadProgramFile } from '../../../domain/program/load-file';
import { simulate, type SimulationReport } from '../../simulate/run';
import { describeTimings } from '../../simulate/timings';
import { note, percent, print, printJson, table, vnd } from '../output';
import { renderYear } from './status';

export interface SimulateFlags {
  program: string;
  year?: number;
  all?: boolean;
  seed: number;
  keep?: boolean;
  reports: string;
  quiet?: boolean;
  json?: boolean;
}

function render(report: SimulationReport, program: ReturnType<typeof loadProgramFile>): string {
  const out: string[] = [];
  for (const y of report.years) {
    out.push(`=== compliance ${y.year} ===`, renderYear(program, y.view));
    const est = y.appraisal;
    if (est.length) {
      const total = (f: (e: (typeof est)[number]) => string | null) => est.reduce((s, e) => s + BigInt(f(e) ?? '0'), 0n).toString();
      out.push(
        `appraisal ${y.year}: ${est.length} estimates, ${est.filter((e) => e.status === 'approved').length} approved, ${est.filter((e) => e.status === 'adjusted').length} adjusted, ` +
          `${est.filter((e) => e.returns > 0).length} returned at least once, ${est.filter((e) => e.status === 'missing' || e.status === 'returned' || e.status === 'submitted').length} not settled; ` +
          `asked ${vnd(total((e) => e.amountVnd))} VND, approved ${vnd(total((e) => e.approvedAmountVnd))} VND`,
        table(
          ['unit', 'asked (VND)', 'status', 'approved (VND)', 'returns'],
          est.map((e) => [e.unitId, vnd(e.amountVnd), e.status, vnd(e.approvedAmountVnd), String(e.returns)]),
          { right: [1, 3, 4] },
        ),
      );
    } else {
      out.push(`appraisal ${y.year}: no estimates`, '');
    }
    out.push(`plan ${y.year}: ${y.cycle?.approval ? `approved by ${y.cycle.approval.approvedBy}` : 'not approved'}`);
    // Where each compiled draft was written: a round's when it closes, the year's and a review's at the cycle's end.
    for (const c of y.compiled) out.push(`compiled ${c.key}: ${c.docx ?? '(no .docx)'} ${c.xlsx ?? '(no .xlsx)'}`);
    out.push('');
  }
  out.push('=== mail that would have gone out (outbox), per kind ===');
  out.push(table(['kind', 'messages', 'recipients'], report.mail.map((m) => [m.kind, String(m.messages), String(m.recipients)]), { right: [1, 2] }));
  const s = report.stats;
  const total = s.submissions.onTime + s.submissions.late;
  out.push(
    `simulated actions: ${total} submissions (${s.submissions.onTime} on time, ${s.submissions.late} late, ${percent(total ? s.submissions.onTime / total : null)} on time), ` +
      `${s.extensions} extensions, decisions ${s.decisions.approve} approve / ${s.decisions.adjust} adjust / ${s.decisions.return} return, ${s.resubmissions} resubmissions` +
      (s.adhocRounds.length ? `, ad hoc rounds ${s.adhocRounds.join(', ')}` : ''),
  );
  const habits = Object.entries(report.habits);
  out.push(`unit habits (seed ${report.seed}): ${['reliable', 'sloppy', 'absent'].map((h) => `${habits.filter(([, x]) => x === h).length} ${h}`).join(', ')}`);
  if (s.refused.length) out.push('', `refused by the workflows (${s.refused.length}):`, ...s.refused.map((r) => `  ${r}`));
  if (report.dir) out.push('', `database and mail kept in ${report.dir}`);
  return out.join('\n');
}

/** `kybao simulate`: a year (or the program) on the time-skipping server; prints the report. */
export async function simulateCommand(opts: SimulateFlags): Promise<void> {
  const def = loadProgramFile(opts.program);
  const started = Date.now();
  const report = await simulate({
    program: def,
    ...(opts.year !== undefined ? { year: opts.year } : {}),
    all: !!opts.all,
    seed: opts.seed,
    keep: !!opts.keep,
    reportsDir: opts.reports,
    progress: opts.quiet ? undefined : (line) => note(`[simulate] ${line}`),
  });
  if (!opts.quiet) note(`[simulate] done in ${Math.round((Date.now() - started) / 1000)}s: ${describeTimings(report.timings)}`);
  if (opts.json) printJson(report);
  else print(render(report, def));
}
