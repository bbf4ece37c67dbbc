import { loadProgramFile } from '../domain/program/load-file';
import { parseProgram } from '../domain/program/parse';
import type { Program } from '../domain/program/schema';

/**
 * The default program plus `count` synthetic reporting units ("don-vi-00001"…), for workloads at scale
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
  const parsed = parseProgram({ ...JSON.parse(JSON.stringify(base)), id: programId, units: [...base.units, ...extra] });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return { program: parsed.program, unitIds: extra.map((u) => u.id) };
}
