import path from 'node:path';
import type { FormUnit } from '../domain/forms/applicability';
import { validateFormData, type FormValidation } from '../domain/forms/submission';
import type { ReportForm } from '../domain/program/forms';
import { readFormTemplate } from './form-template/read-template';

/**
 * A filled form as a file, whichever way the agency filled it: JSON in the shape of FormData
 * (domain/forms/form-data.ts) or the .xlsx template. The CLI's `submit --form FILE` (phase 2) and the
 * web page's upload call this with the file's bytes; problems are prefixed with the file name.
 */
export async function readFormFile(
  fileName: string,
  bytes: Buffer | Uint8Array,
  options: { form: ReportForm; unit: FormUnit; roundId?: string; draft?: boolean },
): Promise<FormValidation> {
  const name = path.basename(fileName);
  const ext = path.extname(fileName).toLowerCase();
  const prefix = (r: FormValidation): FormValidation => (r.ok ? r : { ok: false, problems: r.problems.map((p) => `${name}: ${p}`) });
  if (ext === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(bytes).toString('utf8'));
    } catch (err) {
      return { ok: false, problems: [`${name}: not valid JSON (${(err as Error).message}); fix the syntax`] };
    }
    return prefix(validateFormData(options.form, options.unit, data, { draft: options.draft }));
  }
  if (ext === '.xlsx') {
    const r = await readFormTemplate(bytes, options);
    return prefix(r.ok ? { ok: true, data: r.data } : { ok: false, problems: r.problems });
  }
  return { ok: false, problems: [`${name}: a filled form is a .json or .xlsx file, not "${ext || '(no extension)'}"`] };
}
