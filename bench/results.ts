import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { round3 } from './stats';

/**
 * What `npm run bench` writes: bench/results/latest.json (this schema) and latest.md (the same as a
 * Markdown table). Every measure is the median of several runs, next to a baseline measured in the same
 * run; `ratio` is what kybao costs in units of the baseline (time: kybao ÷ baseline; throughput:
 * baseline ÷ kybao), so above 1 means kybao is slower.
 */
export const FIGURE_IDS = ['cli-startup', 'mail-throughput', 'year', 'round-overhead', 'cost-growth', 'status-latency'] as const;
export const FigureId = z.enum(FIGURE_IDS);
export type FigureId = z.infer<typeof FigureId>;

export const Sample = z.object({
  /** What was measured on this side, e.g. "node -e 0". */
  name: z.string(),
  median: z.number(),
  runs: z.array(z.number()),
});
export type Sample = z.infer<typeof Sample>;

export const Row = z.object({
  /** The measure, e.g. "kybao --help" or "N = 1,000". */
  name: z.string(),
  /** Unit of the medians: ms, messages/s, receipts/s, events, bytes… */
  unit: z.string(),
  better: z.enum(['lower', 'higher']),
  /** null when kybao's side is not measured yet (see the figure's todo). */
  kybao: Sample.nullable(),
  baseline: Sample,
  ratio: z.number().nullable(),
  target: z.object({ text: z.string(), maxRatio: z.number().optional(), maxValue: z.number().optional() }).nullable(),
  /** Whether the target is met; null without a target or without kybao's side. */
  met: z.boolean().nullable(),
  details: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).default({}),
});
export type Row = z.infer<typeof Row>;

export const Figure = z.object({
  id: FigureId,
  title: z.string(),
  /** How it is measured, in one paragraph. */
  method: z.string(),
  rows: z.array(Row),
  /** Where the time goes (phases, profiles), in display order. */
  breakdown: z.array(z.object({ label: z.string(), value: z.number(), unit: z.string() })).default([]),
  notes: z.array(z.string()).default([]),
  /** What is left for kybao's side, when it is not (fully) measured. */
  todo: z.string().nullable().default(null),
  /** When and at which commit this figure was measured (a run with --only keeps older figures). */
  measured: z.object({ at: z.string(), commit: z.string().nullable() }).nullable().default(null),
});
export type Figure = z.infer<typeof Figure>;
/** A figure as a figure module returns it; bench/run.ts adds when it was measured. */
export type FigureDraft = Omit<Figure, 'measured'>;

export const Machine = z.object({
  cpuModel: z.string(),
  cores: z.number(),
  memoryBytes: z.number(),
  /** 1, 5 and 15 minutes, when the run started: a busy machine slows both sides. */
  loadAverage: z.array(z.number()),
  node: z.string(),
  os: z.string(),
  commit: z.string().nullable(),
  /** Uncommitted changes in the working tree. */
  dirty: z.boolean(),
});
export type Machine = z.infer<typeof Machine>;

export const Results = z.object({
  generatedAt: z.string(),
  quick: z.boolean(),
  runs: z.number(),
  durationMs: z.number(),
  machine: Machine,
  figures: z.array(Figure),
});
export type Results = z.infer<typeof Results>;

/**
 * A row from the two sides' samples: medians, ratio (see the header) and whether the target is met.
 * `kybao` null leaves the row open (the baseline alone).
 */
export function makeRow(input: {
  name: string;
  unit: string;
  better: 'lower' | 'higher';
  kybao: { name: string; runs: number[] } | null;
  baseline: { name: string; runs: number[] };
  target?: { text: string; maxRatio?: number; maxValue?: number } | null;
  details?: Row['details'];
  median: (runs: number[]) => number;
}): Row {
  const sample = (s: { name: string; runs: number[] }): Sample => ({ name: s.name, median: round3(input.median(s.runs)), runs: s.runs.map(round3) });
  const baseline = sample(input.baseline);
  const kybao = input.kybao ? sample(input.kybao) : null;
  const ratio =
    kybao && baseline.median > 0 && kybao.median > 0 ? round3(input.better === 'lower' ? kybao.median / baseline.median : baseline.median / kybao.median) : null;
  const target = input.target ?? null;
  let met: boolean | null = null;
  if (target && kybao) {
    met = true;
    if (target.maxRatio !== undefined) met &&= ratio !== null && ratio <= target.maxRatio;
    if (target.maxValue !== undefined) met &&= kybao.median <= target.maxValue;
  }
  return { name: input.name, unit: input.unit, better: input.better, kybao, baseline, ratio, target, met, details: input.details ?? {} };
}

function cell(sample: Sample | null, unit: string): string {
  if (!sample) return '— (TODO)';
  return `${sample.median.toLocaleString('en-US')} ${unit}`;
}

/** The Markdown report: machine, one table of every figure's rows, then each figure's breakdown and notes. */
export function renderMarkdown(results: Results): string {
  const m = results.machine;
  const lines = [
    `# kybao benchmarks`,
    '',
    `${results.quick ? 'Quick (smoke) run' : 'Full run'} of \`npm run bench\`, ${results.generatedAt}, ${Math.round(results.durationMs / 1000)} s; ` +
      `every figure is the median of ${results.runs} run(s) unless its row says otherwise, next to its baseline measured in the same run. ` +
      `Ratio = what kybao costs in units of the baseline (above 1: kybao is slower).`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os}, Node ${m.node}, load average ${m.loadAverage.join(' / ')} at the start; commit ${m.commit?.slice(0, 12) ?? 'unknown'}${m.dirty ? ' (with uncommitted changes)' : ''}.`,
    '',
    '| figure | measure | kybao | baseline | ratio | target | met |',
    '|---|---|---:|---:|---:|---|:-:|',
  ];
  for (const f of results.figures) {
    for (const r of f.rows) {
      lines.push(
        `| ${f.title} | ${r.name} | ${cell(r.kybao, r.unit)} | ${cell(r.baseline, r.unit)} (${r.baseline.name}) | ${r.ratio === null ? '—' : `${r.ratio}×`} | ${r.target?.text ?? ''} | ${r.met === null ? '' : r.met ? 'yes' : '**no**'} |`,
      );
    }
  }
  for (const f of results.figures) {
    lines.push('', `## ${f.title}`, '', f.method);
    if (f.measured && (f.measured.commit !== results.machine.commit || results.generatedAt.slice(0, 10) !== f.measured.at.slice(0, 10))) {
      lines.push('', `(Measured ${f.measured.at} at commit ${f.measured.commit?.slice(0, 12) ?? 'unknown'}, by an earlier run.)`);
    }
    const details = f.rows.filter((r) => Object.keys(r.details).length);
    if (details.length) {
      lines.push('');
      for (const r of details) lines.push(`- ${r.name}: ${Object.entries(r.details).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`).join(', ')}`);
    }
    if (f.breakdown.length) {
      lines.push('', 'Where the time goes:', '', '| part | value |', '|---|---:|');
      for (const b of f.breakdown) lines.push(`| ${b.label} | ${b.value.toLocaleString('en-US')} ${b.unit} |`);
    }
    for (const n of f.notes) lines.push('', n);
    if (f.todo) lines.push('', `**TODO:** ${f.todo}`);
  }
  return lines.join('\n') + '\n';
}

/** Writes latest.json and latest.md into `dir` (created if needed); returns their paths. */
export function writeResults(results: Results, dir: string): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, 'latest.json');
  const markdown = path.join(dir, 'latest.md');
  writeFileSync(json, JSON.stringify(Results.parse(results), null, 2) + '\n');
  writeFileSync(markdown, renderMarkdown(results));
  return { json, markdown };
}
