import type { Program } from '../program/schema';
import type { Issuing } from './model';

/** Capitals as Vietnamese prints them ("Sở Thông tin và Truyền thông" → "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"). */
export function upperVi(text: string): string {
  return text.normalize('NFC').toLocaleUpperCase('vi');
}

/**
 * The issuing block of the program's compiled reports (program.compilation), with the program's own
 * defaults where a file leaves parts out: the coordinator issues, in its name; the symbol is its id in
 * capitals without hyphens; the signer is its director (GIÁM ĐỐC); the archive is VT (văn thư).
 */
export function resolveIssuing(program: Program): Issuing {
  const settings = program.compilation;
  const coordinator = program.units.find((u) => u.id === program.coordinator);
  const nameOf = (id: string): string =>
    program.units.find((u) => u.id === id)?.name.vi ?? program.recipientsAbove.find((a) => a.id === id)?.name.vi ?? id;
  return {
    parent: settings?.issuer.parent ?? null,
    name: settings?.issuer.name ?? upperVi(coordinator?.name.vi ?? program.coordinator),
    symbol: settings?.issuer.symbol ?? program.coordinator.replace(/-/g, '').toUpperCase(),
    place: settings?.place ?? null,
    signer: { title: settings?.signer.title ?? ['GIÁM ĐỐC'], name: settings?.signer.name ?? null },
    recipients: [
      ...(settings?.sendTo ?? []).map((id) => ({ id, name: nameOf(id), purpose: 'report' as const })),
      ...(settings?.copyTo ?? []).map((id) => ({ id, name: nameOf(id), purpose: 'copy' as const })),
    ],
    archive: settings?.archive ?? 'VT',
  };
}
