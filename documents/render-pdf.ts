import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * Renders documents for people to look at: .docx to PDF with LibreOffice (`soffice --headless`), PDF
 * pages to PNG with poppler (`pdftoppm`). Both are Debian packages (libreoffice-writer-nogui,
 * poppler-utils; fonts-liberation gives Times New Roman's metric twin, Liberation Serif). A missing
 * tool is an error that says what to install, never a silent skip.
 */

const run = promisify(execFile);

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

async function which(tool: string): Promise<string | null> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${tool}`]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

export async function requireTool(tool: 'soffice' | 'pdftoppm' | 'pdfinfo' | 'pdftotext' | 'pdffonts'): Promise<string> {
  const found = await which(tool);
  if (found) return found;
  const pkg = tool === 'soffice' ? 'libreoffice-writer-nogui (or libreoffice-writer) and fonts-liberation' : 'poppler-utils';
  throw new MissingToolError(`${tool} is not installed; install ${pkg} (apt-get install -y ${tool === 'soffice' ? 'libreoffice-writer-nogui fonts-liberation' : 'poppler-utils'})`);
}

/**
 * Converts a .docx to PDF in `outDir` and returns the PDF's path. LibreOffice runs with a profile of
 * its own in a temporary directory, so conversions running side by side (other tests, other users of the
 * machine) do not share, lock or corrupt one profile.
 */
export async function docxToPdf(docxPath: string, outDir: string, options: { timeoutMs?: number } = {}): Promise<string> {
  const soffice = await requireTool('soffice');
  const profile = await mkdtemp(path.join(os.tmpdir(), 'kybao-soffice-'));
  try {
    await run(
      soffice,
      ['--headless', '--norestore', '--nologo', `-env:UserInstallation=${pathToFileURL(profile).href}`, '--convert-to', 'pdf', '--outdir', outDir, docxPath],
      { timeout: options.timeoutMs ?? 180_000 },
    );
  } catch (err) {
    throw new Error(`LibreOffice could not convert ${docxPath} to PDF: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
  const pdf = path.join(outDir, `${path.basename(docxPath, path.extname(docxPath))}.pdf`);
  const written = await readdir(outDir);
  if (!written.includes(path.basename(pdf))) throw new Error(`LibreOffice reported no error but wrote no ${pdf}`);
  return pdf;
}

/** Renders every page of a PDF to `<prefix>-<n>.png` at `dpi` dots per inch; returns the files in page order. */
export async function pdfToPng(pdfPath: string, prefix: string, options: { dpi?: number } = {}): Promise<string[]> {
  const pdftoppm = await requireTool('pdftoppm');
  await run(pdftoppm, ['-png', '-r', String(options.dpi ?? 60), pdfPath, prefix], { timeout: 120_000 });
  const dir = path.dirname(prefix);
  const base = path.basename(prefix);
  const pages = (await readdir(dir)).filter((f) => f.startsWith(`${base}-`) && f.endsWith('.png'));
  const pageNo = (f: string) => Number(/-(\d+)\.png$/.exec(f)?.[1] ?? 0);
  return pages.sort((a, b) => pageNo(a) - pageNo(b)).map((f) => path.join(dir, f));
}
