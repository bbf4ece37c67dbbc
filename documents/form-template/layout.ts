/**
 * The shape of a form's spreadsheet template, shared by the writer and the reader: sheet names, the
 * columns that hold ids and values, and the hidden sheet that says whose template it is. Ids sit in a
 * hidden, locked column A so the reader finds every value by id, wherever rows end up.
 */

export const TEMPLATE_FORMAT = 'kybao-form-template';
export const TEMPLATE_VERSION = 1;

export const SHEETS = {
  guide: 'Hướng dẫn',
  indicators: 'Chỉ tiêu',
  sections: 'Nội dung',
  /** Very hidden: format, version, program, form kind, unit and round the template was made for. */
  meta: 'kybao',
} as const;

/** "Chỉ tiêu": A id (hidden) | B STT | C indicator | D unit of measure | E required | F value | G guidance. */
export const INDICATOR_COLUMNS = { id: 1, number: 2, name: 3, measure: 4, required: 5, value: 6, guidance: 7 } as const;
/** "Nội dung": A key (hidden) | B section | C focal task | D text | E required. */
export const SECTION_COLUMNS = { key: 1, section: 2, task: 3, text: 4, required: 5 } as const;
/** Rows above the header row of both data sheets (titles). */
export const HEADER_ROW = 4;

/** The key of a section row: "ket-qua-nhiem-vu" (general text) or "ket-qua-nhiem-vu#7" (task 7). */
export function sectionKey(sectionId: string, task?: number): string {
  return task === undefined ? sectionId : `${sectionId}#${task}`;
}

export function parseSectionKey(key: string): { sectionId: string; task?: number } {
  const m = /^([a-z0-9-]+)#(\d+)$/.exec(key);
  return m ? { sectionId: m[1]!, task: Number(m[2]) } : { sectionId: key };
}

export const META_KEYS = ['format', 'version', 'programId', 'formKind', 'unitId', 'roundId'] as const;
export type TemplateMeta = Record<(typeof META_KEYS)[number], string>;
