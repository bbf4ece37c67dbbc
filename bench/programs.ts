import { loadProgramFile } from '../domain/program/load-file';
import { parseProgram } from '../domain/program/parse';
import type { Program } from '../domain/program/schema';

/**
 * The default program plus `count` synthetic reporting units of category "other" (the only ones of it) ("don-vi-00001"…), for workloads at scale
 * (the same shape as test/helpers/programs.ts, which the test suite keeps to itself).
 */
export function programWithUnits(programId: string, count: number): { program: Program; unitIds: string[] } {
  const base = loadProgramFile();
  const extra = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(5, '0');
    return {
      id: `don-vi-${n}`,
      category: 'other',
      name: { vi: `Đơn vị ${n}`, en: `Unit ${n}` },
      contact: { email: `baocao.${n}@${programId}.example` },
      head: { email: `thutruong.${n}@${programId}.example` },
    };
  });
  // The round of the benchmark names its audience by rule (category "other": a listed audience stops at
  // 1,000 units), so the default program's own units of that category move to another one.
  const own = (JSON.parse(JSON.stringify(base.units)) as Array<{ category: string }>).map((u) => (u.category === 'other' ? { ...u, category: 'department' } : u));
  const parsed = parseProgram({ ...JSON.parse(JSON.stringify(base)), id: programId, units: [...own, ...extra] });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return { program: parsed.program, unitIds: extra.map((u) => u.id) };
}
