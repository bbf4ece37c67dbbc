import { loadProgramFile } from '../../domain/program/load-file';
import { parseProgram } from '../../domain/program/parse';
import type { Program } from '../../domain/program/schema';

/**
 * The default program (Decision 925's 27 units) plus `count` synthetic reporting units
 * ("<prefix>-00001"…, category "other"), for scale tests and benchmarks: a ministry collecting from every
 * commune has 3,000–10,000. `period` replaces the program's period (e.g. this year and the next, so a
 * program started today runs cycles with live rounds).
 */
export function programWithExtraUnits(programId: string, count: number, prefix = 'don-vi', options: { period?: { firstYear: number; lastYear: number } } = {}): Program {
  const base = loadProgramFile();
  const width = Math.max(4, String(count).length);
  const extra = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(width, '0');
    return {
      id: `${prefix}-${n}`,
      category: 'other',
      name: { vi: `Đơn vị ${n}`, en: `Unit ${n}` },
      contact: { email: `baocao.${n}@${programId}.example` },
      head: { email: `thutruong.${n}@${programId}.example` },
    };
  });
  const parsed = parseProgram({
    ...JSON.parse(JSON.stringify(base)),
    id: programId,
    units: [...base.units, ...extra],
    ...(options.period ? { period: options.period, reviews: { preliminaryYears: [] } } : {}),
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.program;
}
