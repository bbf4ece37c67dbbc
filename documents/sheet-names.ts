/**
 * Excel's rules for sheet names: at most 31 characters, none of : \ / ? * [ ], not blank, no apostrophe
 * at either end, unique within the workbook regardless of case. Long Vietnamese titles are shortened
 * with an ellipsis; a clash gets " (2)", " (3)", ….
 */
export function sheetName(title: string, used: Set<string>): string {
  const clean = title.normalize('NFC').replace(/[:\\/?*[\]]/g, ' ').replace(/\s+/g, ' ').trim().replace(/^'+|'+$/g, '') || 'Sheet';
  const fit = (text: string, room: number) => (text.length <= room ? text : `${text.slice(0, room - 1).trimEnd()}…`);
  let name = fit(clean, 31);
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${fit(clean, 31 - ` (${n})`.length)} (${n})`;
  used.add(name.toLowerCase());
  return name;
}
