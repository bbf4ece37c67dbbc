import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import JSZip from 'jszip';

/**
 * Reads a .docx the way a checker would: unzips it and walks word/document.xml (WordprocessingML) with a
 * DOM parser, so tests assert on the real file, not on what the generator meant to write.
 */

export const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

export interface DocxRun {
  text: string;
  bold: boolean;
  italic: boolean;
  underline: string | null;
  /** Half-points (28 = 14 pt); null when the run inherits the document default. */
  size: number | null;
  font: string | null;
}

export interface DocxParagraph {
  text: string;
  runs: DocxRun[];
  alignment: string | null;
}

function children(el: Element, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === localName) out.push(n as Element);
  return out;
}

function first(el: Element | null | undefined, localName: string): Element | null {
  return el ? (children(el, localName)[0] ?? null) : null;
}

function attr(el: Element | null, name: string): string | null {
  return el ? el.getAttributeNS(W, name) || el.getAttribute(`w:${name}`) || null : null;
}

function onOff(el: Element | null): boolean {
  if (!el) return false;
  const v = attr(el, 'val');
  return v === null || !['0', 'false', 'off'].includes(v);
}

export function runOf(r: Element): DocxRun {
  const props = first(r, 'rPr');
  const text = Array.from(r.getElementsByTagNameNS(W, 't')).map((t) => t.textContent ?? '').join('');
  const size = attr(first(props, 'sz'), 'val');
  return {
    text,
    bold: onOff(first(props, 'b')),
    italic: onOff(first(props, 'i')),
    underline: attr(first(props, 'u'), 'val'),
    size: size === null ? null : Number(size),
    font: attr(first(props, 'rFonts'), 'ascii'),
  };
}

export function paragraphOf(p: Element): DocxParagraph {
  const runs = children(p, 'r').map(runOf);
  return { text: runs.map((r) => r.text).join(''), runs, alignment: attr(first(first(p, 'pPr'), 'jc'), 'val') };
}

export class DocxFile {
  constructor(
    readonly document: Document,
    readonly files: Map<string, string>,
  ) {}

  static async open(bytes: Buffer): Promise<DocxFile> {
    const zip = await JSZip.loadAsync(bytes);
    const files = new Map<string, string>();
    for (const name of Object.keys(zip.files)) if (name.endsWith('.xml')) files.set(name, await zip.file(name)!.async('string'));
    const xml = files.get('word/document.xml');
    if (!xml) throw new Error('not a .docx: word/document.xml is missing');
    return new DocxFile(new DOMParser().parseFromString(xml, 'text/xml'), files);
  }

  private get body(): Element {
    return this.document.getElementsByTagNameNS(W, 'body')[0]!;
  }

  /** Top-level paragraphs and tables of the body, in order. */
  blocks(): Array<{ kind: 'p'; p: DocxParagraph } | { kind: 'tbl'; rows: DocxParagraph[][][] }> {
    const out: Array<{ kind: 'p'; p: DocxParagraph } | { kind: 'tbl'; rows: DocxParagraph[][][] }> = [];
    for (let n = this.body.firstChild; n; n = n.nextSibling) {
      if (n.nodeType !== 1) continue;
      const el = n as Element;
      if (el.localName === 'p') out.push({ kind: 'p', p: paragraphOf(el) });
      if (el.localName === 'tbl') out.push({ kind: 'tbl', rows: children(el, 'tr').map((tr) => children(tr, 'tc').map((tc) => children(tc, 'p').map(paragraphOf))) });
    }
    return out;
  }

  /** Every table's rows as cell texts (paragraphs of a cell joined by "\n"). */
  tables(): string[][][] {
    return this.blocks().flatMap((b) => (b.kind === 'tbl' ? [b.rows.map((row) => row.map((cell) => cell.map((p) => p.text).join('\n')))] : []));
  }

  /** Every paragraph of the body, including those inside tables, in document order. */
  paragraphs(): DocxParagraph[] {
    return Array.from(this.body.getElementsByTagNameNS(W, 'p')).map(paragraphOf);
  }

  /** The first paragraph whose text is `text` (exactly) or matches it. */
  paragraph(text: string | RegExp): DocxParagraph {
    const found = this.paragraphs().find((p) => (typeof text === 'string' ? p.text === text : text.test(p.text)));
    if (!found) throw new Error(`no paragraph ${String(text)} in the document`);
    return found;
  }

  /** Page size and margins in twips (w:sectPr of the last section). */
  page(): { width: number; height: number; top: number; bottom: number; left: number; right: number; titlePage: boolean } {
    const sect = Array.from(this.body.getElementsByTagNameNS(W, 'sectPr')).pop()!;
    const size = first(sect, 'pgSz');
    const mar = first(sect, 'pgMar');
    const n = (el: Element | null, a: string) => Number(attr(el, a));
    return {
      width: n(size, 'w'),
      height: n(size, 'h'),
      top: n(mar, 'top'),
      bottom: n(mar, 'bottom'),
      left: n(mar, 'left'),
      right: n(mar, 'right'),
      titlePage: first(sect, 'titlePg') !== null,
    };
  }
}
