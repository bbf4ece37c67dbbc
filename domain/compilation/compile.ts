import { isAskedOf, unitOfMeasureOf } from '../forms/applicability';
import { readIndicatorValue, type IndicatorValue } from '../forms/values';
import type { FormRoundKind, ReportForm } from '../program/forms';
import type { LocalizedText } from '../program/localized-text';
import { formatPath } from '../program/parse';
import type { Program } from '../program/schema';
import { aggregate } from './aggregate';
import { buildCompliance, unitFacts, unitOrder, type UnitFacts } from './compliance';
import { roundDataSchema, type RoundData, type RoundDataInput } from './input';
import { resolveIssuing } from './issuing';
import { CATEGORY_ORDER, periodLabel, quarterLabel, yearLabel } from './labels';
import type { CompiledIndicator, CompiledReportModel, CompiledSection, Observation, ReportScope, TextEntry } from './model';

/**
 * Compiles reports from rounds (pure: no I/O, no clock; the caller says when). Decision 925, Art. 2.1:
 * Sở TT&TT compiles the units' results "hằng năm, hằng quý hoặc đột xuất" for UBND tỉnh and the
 * Ministry, and prepares the reviews (sơ kết, tổng kết).
 *
 * - `compileRound`: one round (a quarter, an ad hoc round) with its own form.
 * - `compileYear`: the year's rounds; figures and texts from its quarterly reports.
 * - `compileReview`: the rounds of several years; figures from the quarterly reports, timeliness per
 *   unit per year, texts left out unless asked for (seven years of quarterly texts is a book).
 *
 * Over several rounds an indicator aggregates every (unit, round) value as declared: a sum is the total
 * of all of them, an average the mean over all of them (each unit-quarter counts once), a count the
 * number of unit-quarters that reported something, a list every value with its round.
 */

export interface CompileOptions {
  /** When the figures were compiled, ISO 8601 with offset: the caller's clock, so compiling stays pure. */
  compiledAt: string;
  /** Every unit's texts by section and focal task. Default: true for a round and a year, false for a review. */
  includeTexts?: boolean;
}

export class CompilationInputError extends Error {
  override name = 'CompilationInputError';
  constructor(readonly problems: string[]) {
    super(`cannot compile: ${problems.join('; ')}`);
  }
}

function parseRounds(rounds: readonly RoundDataInput[]): RoundData[] {
  const problems: string[] = [];
  const parsed = rounds.flatMap((input, i) => {
    const result = roundDataSchema.safeParse(input);
    if (!result.success) problems.push(...result.error.issues.map((iss) => `rounds[${i}].${formatPath(iss.path)}: ${iss.message}`));
    const seen = new Set<string>();
    for (const o of Array.isArray(input?.obligations) ? input.obligations : []) {
      if (seen.has(o?.unitId)) problems.push(`rounds[${i}] (${input.key}): unit "${o.unitId}" has two obligations; a unit owes one report per round`);
      seen.add(o?.unitId);
    }
    return result.success ? [result.data] : [];
  });
  const ids = new Set<string>();
  for (const r of parsed) {
    if (ids.has(r.roundId)) problems.push(`round "${r.roundId}" is given twice`);
    ids.add(r.roundId);
  }
  if (problems.length) throw new CompilationInputError(problems);
  return parsed;
}

export function compileRound(program: Program, round: RoundDataInput, options: CompileOptions): CompiledReportModel {
  const [r] = parseRounds([round]);
  const form = program.forms?.[r!.kind];
  const period = r!.kind === 'quarterly-report' && r!.quarter !== undefined ? quarterLabel(r!.quarter, r!.year) : r!.title;
  const title = form ? joinTitle(form.title, period) : r!.title;
  const scope: ReportScope = {
    kind: 'round',
    roundId: r!.roundId,
    roundKey: r!.key,
    roundKind: r!.kind,
    year: r!.year,
    ...(r!.quarter !== undefined ? { quarter: r!.quarter } : {}),
  };
  return compile(program, scope, period, title, [r!], r!.kind, options.includeTexts ?? true, options.compiledAt);
}

export function compileYear(program: Program, year: number, rounds: readonly RoundDataInput[], options: CompileOptions): CompiledReportModel {
  const parsed = parseRounds(rounds);
  const stray = parsed.filter((r) => r.year !== year).map((r) => r.key);
  if (stray.length) throw new CompilationInputError([`rounds ${stray.join(', ')} are not of ${year}; pass only the year's rounds`]);
  const period = yearLabel(year);
  const form = program.forms?.['quarterly-report'];
  const title = form ? joinTitle(form.title, period) : { vi: `Báo cáo tổng hợp ${period.vi}`, en: `Consolidated report ${period.en}` };
  return compile(program, { kind: 'year', year }, period, title, parsed, 'quarterly-report', options.includeTexts ?? true, options.compiledAt);
}

export function compileReview(
  program: Program,
  review: 'preliminary' | 'final',
  fromYear: number,
  toYear: number,
  rounds: readonly RoundDataInput[],
  options: CompileOptions,
): CompiledReportModel {
  if (fromYear > toYear) throw new CompilationInputError([`fromYear ${fromYear} is after toYear ${toYear}`]);
  const parsed = parseRounds(rounds);
  const stray = parsed.filter((r) => r.year < fromYear || r.year > toYear).map((r) => r.key);
  if (stray.length) throw new CompilationInputError([`rounds ${stray.join(', ')} are outside ${fromYear}–${toYear}`]);
  const period = periodLabel(fromYear, toYear);
  const years = toYear - fromYear + 1;
  const title: LocalizedText =
    review === 'preliminary'
      ? { vi: `Sơ kết ${years} năm thực hiện ${program.title.vi} (${period.vi})`, en: `Preliminary review of ${years} years (${period.en}): ${program.title.en}` }
      : { vi: `Tổng kết thực hiện ${program.title.vi}`, en: `Final review: ${program.title.en}` };
  const scope: ReportScope = { kind: 'review', review, fromYear, toYear };
  return compile(program, scope, period, title, parsed, 'quarterly-report', options.includeTexts ?? false, options.compiledAt);
}

function joinTitle(formTitle: LocalizedText, period: LocalizedText): LocalizedText {
  return { vi: `${formTitle.vi} ${period.vi}`, en: `${formTitle.en}, ${period.en}` };
}

function compile(
  program: Program,
  scope: ReportScope,
  period: LocalizedText,
  title: LocalizedText,
  rounds: RoundData[],
  formKind: FormRoundKind,
  includeTexts: boolean,
  compiledAt: string,
): CompiledReportModel {
  const warnings: string[] = [];
  const allUnitIds = rounds.flatMap((r) => r.obligations.map((o) => o.unitId));
  const facts = unitFacts(program, allUnitIds, warnings);
  const order = unitOrder(program, allUnitIds);
  const compliance = buildCompliance(program, rounds, facts, order);
  const roundOrder = compliance.rounds.map((c) => rounds.find((r) => r.roundId === c.roundId)!);
  const form = program.forms?.[formKind];
  const formRounds = form ? roundOrder.filter((r) => r.kind === formKind) : [];

  const coordinator = program.units.find((u) => u.id === program.coordinator);
  const missing = compliance.units.flatMap((u) => {
    const rs = u.cells.flatMap((c, i) => (c?.status === 'missing' ? [compliance.rounds[i]!.key] : []));
    return rs.length ? [{ unitId: u.unitId, name: u.name, category: u.category, rounds: rs }] : [];
  });

  const withoutFormData: Array<{ unitId: string; roundId: string }> = [];
  if (form)
    for (const unitId of order)
      for (const r of formRounds) {
        const o = r.obligations.find((x) => x.unitId === unitId);
        if (!o) continue;
        const data = r.formData[unitId];
        if (o.status !== 'missing' && !data) withoutFormData.push({ unitId, roundId: r.roundId });
        if (o.status === 'missing' && data) warnings.push(`${r.key}: ${unitId} is missing but has form data; the data is left out`);
        if (data && o.status !== 'missing') warnUnknownKeys(form, data, `${r.key}: ${unitId}`, warnings);
      }

  return {
    schemaVersion: 1,
    program: {
      id: program.id,
      title: program.title,
      coordinator: { id: program.coordinator, name: coordinator?.name ?? { vi: program.coordinator, en: program.coordinator } },
      source: program.source
        ? { reference: program.source.reference, date: program.source.date ?? null, issuer: program.source.issuer ?? null }
        : null,
    },
    scope,
    period,
    title,
    timeZone: program.timeZone,
    compiledAt,
    formKind: form ? formKind : null,
    issuing: resolveIssuing(program),
    compliance,
    missing,
    tables: form ? compileTables(form, formRounds, order, facts, warnings) : [],
    sections: form && includeTexts ? compileSections(program, form, formRounds, order, facts, warnings) : [],
    withoutFormData,
    warnings,
  };
}

/** A submitted value counts when its unit was asked and its round's obligation is not missing. */
function* submittedData(rounds: readonly RoundData[], order: readonly string[]) {
  for (const unitId of order)
    for (const r of rounds) {
      const o = r.obligations.find((x) => x.unitId === unitId);
      if (!o || o.status === 'missing') continue;
      yield { unitId, round: r, data: r.formData[unitId] };
    }
}

function compileTables(
  form: ReportForm,
  rounds: readonly RoundData[],
  order: readonly string[],
  facts: Map<string, UnitFacts>,
  warnings: string[],
): CompiledReportModel['tables'] {
  return form.tables.map((table) => ({
    id: table.id,
    title: table.title,
    indicators: table.indicators.map((ind): CompiledIndicator => {
      const observations: Observation[] = [];
      const askedBy = new Map<string, number>();
      for (const r of rounds)
        for (const o of r.obligations) {
          const f = facts.get(o.unitId)!;
          if (isAskedOf(ind.filledBy, { id: o.unitId, category: f.category })) askedBy.set(f.category, (askedBy.get(f.category) ?? 0) + 1);
        }
      for (const { unitId, round, data } of submittedData(rounds, order)) {
        const f = facts.get(unitId)!;
        const raw = data?.indicators[ind.id];
        if (raw === undefined || !isAskedOf(ind.filledBy, { id: unitId, category: f.category })) continue;
        const read = readIndicatorValue(ind, raw);
        if (read.ok) observations.push({ unitId, roundId: round.roundId, value: read.value });
        else warnings.push(`${round.key}: ${unitId} ${ind.id}: ${read.message}; the value is left out`);
      }
      const valuesOf = (filter: (unitId: string) => boolean): IndicatorValue[] =>
        observations.filter((o) => filter(o.unitId)).map((o) => o.value);
      const asked = [...askedBy.values()].reduce((a, b) => a + b, 0);
      return {
        id: ind.id,
        name: ind.name,
        unitOfMeasure: unitOfMeasureOf(ind),
        type: ind.type,
        aggregation: ind.aggregation,
        tasks: ind.tasks,
        province: aggregate(ind.type, ind.aggregation, valuesOf(() => true), asked),
        byCategory: CATEGORY_ORDER.filter((c) => askedBy.has(c)).map((category) => ({
          category,
          aggregate: aggregate(ind.type, ind.aggregation, valuesOf((u) => facts.get(u)!.category === category), askedBy.get(category)!),
        })),
        observations,
      };
    }),
  }));
}

function compileSections(
  program: Program,
  form: ReportForm,
  rounds: readonly RoundData[],
  order: readonly string[],
  facts: Map<string, UnitFacts>,
  warnings: string[],
): CompiledSection[] {
  return form.sections.map((section) => {
    const general: TextEntry[] = [];
    const byTask = new Map<number, TextEntry[]>(section.tasks.map((n) => [n, []]));
    for (const { unitId, round, data } of submittedData(rounds, order)) {
      const answer = data?.sections[section.id];
      if (!answer) continue;
      if (!isAskedOf(section.filledBy, { id: unitId, category: facts.get(unitId)!.category })) {
        warnings.push(`${round.key}: ${unitId} wrote in section ${section.id}, which it is not asked; the text is left out`);
        continue;
      }
      if (answer.text) general.push({ unitId, roundId: round.roundId, text: answer.text });
      for (const [key, text] of Object.entries(answer.tasks)) {
        const entries = byTask.get(Number(key));
        if (entries) entries.push({ unitId, roundId: round.roundId, text });
        else warnings.push(`${round.key}: ${unitId} wrote about task ${key} in section ${section.id}, which has no such task; the text is left out`);
      }
    }
    const taskTitle = (n: number) => program.tasks.find((t) => t.number === n)?.title ?? { vi: `Nhiệm vụ ${n}`, en: `Task ${n}` };
    return {
      id: section.id,
      title: section.title,
      general,
      tasks: section.tasks.filter((n) => byTask.get(n)!.length > 0).map((n) => ({ number: n, title: taskTitle(n), entries: byTask.get(n)! })),
      tasksWithoutEntries: section.tasks.filter((n) => byTask.get(n)!.length === 0),
    };
  });
}

function warnUnknownKeys(form: ReportForm, data: RoundData['formData'][string], where: string, warnings: string[]): void {
  const indicatorIds = new Set(form.tables.flatMap((t) => t.indicators.map((i) => i.id)));
  const sectionIds = new Set(form.sections.map((s) => s.id));
  for (const key of Object.keys(data.indicators))
    if (!indicatorIds.has(key)) warnings.push(`${where}: indicator "${key}" is no longer on the form; its value is left out`);
  for (const key of Object.keys(data.sections))
    if (!sectionIds.has(key)) warnings.push(`${where}: section "${key}" is no longer on the form; its text is left out`);
}
