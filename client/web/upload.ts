import type { FastifyRequest } from 'fastify';
import { AppError } from '../../app/errors';
import type { IncomingFile } from '../../app/storage';

/**
 * Reads a multipart upload as a stream: the text fields that come before the file, then the file
 * itself, handed on unread (app/storage.ts counts, hashes and stores it). A request that announces
 * more bytes than the limit allows is refused before any of it is read.
 */
export async function readUpload(req: FastifyRequest, maxBytes: number): Promise<{ fields: Record<string, string>; file: IncomingFile | undefined }> {
  const announced = Number(req.headers['content-length'] ?? NaN);
  // The form's text fields and boundaries add a little to the file's own size.
  if (Number.isFinite(announced) && announced > maxBytes + 256 * 1024) {
    throw new AppError('too-large', `the upload (${announced} bytes) is larger than the limit of ${maxBytes} bytes; send a smaller file`, 'file');
  }
  if (!req.isMultipart()) throw new AppError('invalid', 'send the report as multipart/form-data with a "file" part', 'file');
  const fields: Record<string, string> = {};
  const parts = req.parts({ limits: { fileSize: maxBytes + 1, files: 1, fields: 200, fieldSize: 16 * 1024 } });
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') throw new AppError('invalid', `the file must be sent as the "file" part (got "${part.fieldname}")`, 'file');
      // A browser sends an empty part with no name when no file was chosen: a report form alone.
      if (!part.filename && hasFormFields(fields)) {
        part.file.resume();
        continue;
      }
      return { fields, file: { name: utf8Name(part.filename ?? ''), stream: part.file } };
    }
    if (typeof part.value === 'string') fields[part.fieldname] = part.value;
  }
  if (hasFormFields(fields)) return { fields, file: undefined };
  throw new AppError('invalid', 'no file was sent; choose the report file', 'file');
}

/** The agency page's report form fields (app/agency.ts formDataFromFields), any of them filled. */
function hasFormFields(fields: Record<string, string>): boolean {
  return Object.entries(fields).some(([k, v]) => /^(ind|sec)\./.test(k) && v.trim() !== '');
}

/**
 * Browsers send a file name's UTF-8 bytes as they are in the part's header, which the multipart parser
 * reads as Latin-1: "BÃ¡o cÃ¡o.pdf". Read back as UTF-8 when the bytes are valid UTF-8.
 */
export function utf8Name(name: string): string {
  if (![...name].every((ch) => ch.charCodeAt(0) < 256)) return name;
  const decoded = Buffer.from(name, 'latin1').toString('utf8');
  return decoded.includes('\uFFFD') ? name : decoded;
}
