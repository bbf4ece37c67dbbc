import { loadProgramFile } from '../../domain/program/load-file';
import { parseProgram } from '../../domain/program/parse';
import type { Program } from '../../domain/program/schema';

/** The default program plus `count` synthetic units ("<prefix>-0001"…), for tests at scale. */
export function programWithExtraUnits(programId: string, count: number, prefix = 'don-vi'): Program {
  const base = loadProgramFile();
  const extra = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return {
      id: `${prefix}-${n}`,
      category: 'other',
      name: { vi: `Đơn vị ${n}`, en: `Unit ${n}` },
      contact: { email: `baocao.${n}@${programId}.example` },
      head: { email: `thutruong.${n}@${programId}.example` },
    };
  });
  const parsed = parseProgram({ ...JSON.parse(JSON.stringify(base)), id: programId, units: [...base.units, ...extra] });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.program;
}
