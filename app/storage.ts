import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Env } from '../infra/config';
import type { Db } from '../infra/db/client';
import { REPO_ROOT } from '../infra/db/database-url';
import { AppError } from './errors';

/**
 * Where report files go. Both implementations take the upload as a stream, count and hash it while it
 * is written to a temporary file (never held whole in memory), stop reading as soon as it passes the
 * size limit, and check it before anything is kept:
 *   - empty (0 bytes): refused ('invalid', issue #12 item 3);
 *   - over KYBAO_UPLOAD_MAX_BYTES: refused ('too-large');
 *   - an extension not in KYBAO_UPLOAD_TYPES, or content whose first bytes contradict it (a ".pdf"
 *     that does not start with %PDF-): refused ('unsupported-type').
 * A kept file gets a row in UploadedFile (original name in NFC, for display only) and its bytes are
 * stored under their SHA-256, never under a name derived from the upload: `local` in
 * KYBAO_SUBMISSIONS_DIR/<sha256>, `database` in FileBlob (every machine of a deployment sees it).
 * A refused upload, or one whose submission the round then refuses (`discard`), leaves nothing behind:
 * no temporary file, no row, no file, no empty folder. S3-compatible storage is not built: it would be a
 * third FileStorage.
 */
export interface IncomingFile {
  /** The name the sender gave it (any Unicode form, possibly with a path). */
  name: string;
  stream: Readable;
}

export interface UploadRecord {
  id: number;
  roundId: string;
  unitId: string;
  originalName: string;
  extension: string;
  /** bytes */
  size: number;
  sha256: string;
  storage: 'local' | 'database';
  uploadedBy: string;
  createdAt: string;
}

export interface StoredUpload extends UploadRecord {
  /** What the round records: "upload:<id>#sha256=<hex>". */
  reference: string;
}

export interface FileStorage {
  readonly kind: 'local' | 'database';
  put(db: Db, file: IncomingFile, meta: { roundId: string; unitId: string; uploadedBy: string; at: Date }): Promise<StoredUpload>;
  /** Removes an upload: its row, and its bytes when no other upload has the same content. */
  discard(db: Db, upload: StoredUpload): Promise<void>;
  /** The bytes of an upload. */
  open(db: Db, upload: UploadRecord): Promise<Readable>;
}

export interface UploadLimits {
  maxBytes: number;
  types: string[];
}

export function uploadLimitsOf(env: Env): UploadLimits {
  return { maxBytes: env.KYBAO_UPLOAD_MAX_BYTES, types: env.KYBAO_UPLOAD_TYPES };
}

export function storageFromEnv(env: Env): FileStorage {
  const limits = uploadLimitsOf(env);
  return env.KYBAO_STORAGE === 'database' ? new DatabaseStorage(limits) : new LocalStorage(path.resolve(REPO_ROOT, env.KYBAO_SUBMISSIONS_DIR), limits);
}

/** The reference a round records for an upload. */
export function uploadReference(upload: { id: number; sha256: string }): string {
  return `upload:${upload.id}#sha256=${upload.sha256}`;
}

/** The upload id in a reference "upload:<id>#sha256=…", or null for other references (older rounds). */
export function uploadIdOf(reference: string | null | undefined): number | null {
  const m = /^upload:(\d+)#/.exec(reference ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * The name to show: the last path component (both / and \ separate), NFC, without control characters,
 * at most 200 characters. Never used to name anything on disk.
 */
export function displayNameOf(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const shown = clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
  return shown.length > 200 ? shown.slice(shown.length - 200) : shown;
}

/** Signatures checked where they are cheap and certain: the first bytes of the file. */
const MAGIC: Record<string, Buffer[]> = {
  pdf: [Buffer.from('%PDF-')],
  png: [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  jpg: [Buffer.from([0xff, 0xd8, 0xff])],
  jpeg: [Buffer.from([0xff, 0xd8, 0xff])],
  // OOXML and OpenDocument files are zip archives.
  zip: [Buffer.from('PK\x03\x04'), Buffer.from('PK\x05\x06')],
  docx: [Buffer.from('PK\x03\x04')],
  xlsx: [Buffer.from('PK\x03\x04')],
  pptx: [Buffer.from('PK\x03\x04')],
  odt: [Buffer.from('PK\x03\x04')],
  ods: [Buffer.from('PK\x03\x04')],
  // Word 97–2003 and Excel 97–2003: OLE compound files.
  doc: [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
  xls: [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
};

interface Received {
  temp: string;
  size: number;
  sha256: string;
  head: Buffer;
}

/**
 * Streams the upload into a temporary file, hashing and counting; stops (and destroys the source) as
 * soon as it passes the limit. The caller removes `temp`.
 */
async function receive(stream: Readable, limits: UploadLimits): Promise<Received> {
  const temp = path.join(os.tmpdir(), `kybao-upload-${randomBytes(8).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const heads: Buffer[] = [];
  let headBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > limits.maxBytes) {
        done(new AppError('too-large', `the file is larger than the limit of ${formatBytes(limits.maxBytes)}; send a smaller file (e.g. a compressed PDF)`, 'file'));
        return;
      }
      hash.update(chunk);
      if (headBytes < 16) {
        heads.push(chunk.subarray(0, 16));
        headBytes += Math.min(16, chunk.length);
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, meter, createWriteStream(temp, { flags: 'wx' }));
  } catch (err) {
    stream.destroy();
    await rm(temp, { force: true });
    // A multipart stream cut at its limit reports itself as truncated rather than failing.
    throw err;
  }
  if ((stream as Readable & { truncated?: boolean }).truncated) {
    await rm(temp, { force: true });
    throw new AppError('too-large', `the file is larger than the limit of ${formatBytes(limits.maxBytes)}; send a smaller file (e.g. a compressed PDF)`, 'file');
  }
  return { temp, size, sha256: hash.digest('hex'), head: Buffer.concat(heads).subarray(0, 16) };
}

/** Checks name and content; returns the lower-case extension. Throws AppError. */
function check(name: string, received: Received | null, limits: UploadLimits): string {
  const ext = path.extname(name).slice(1).toLowerCase();
  if (!ext || !limits.types.includes(ext)) {
    throw new AppError('unsupported-type', `"${name}" is not an accepted type; send one of: ${limits.types.join(', ')}`, 'file');
  }
  if (!received) return ext;
  if (received.size === 0) throw new AppError('invalid', `"${name}" is empty (0 bytes); send the report itself`, 'file');
  const signatures = MAGIC[ext];
  if (signatures && !signatures.some((sig) => received.head.subarray(0, sig.length).equals(sig))) {
    throw new AppError('unsupported-type', `"${name}" does not contain a ${ext.toUpperCase()} file (its first bytes say otherwise); send the file as saved by its program`, 'file');
  }
  return ext;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${n} bytes`;
}

type Row = { id: number; roundId: string; unitId: string; originalName: string; extension: string; size: number; sha256: string; storage: string; uploadedBy: string; createdAt: Date };

function toRecord(row: Row): StoredUpload {
  const rec: UploadRecord = {
    id: row.id,
    roundId: row.roundId,
    unitId: row.unitId,
    originalName: row.originalName,
    extension: row.extension,
    size: row.size,
    sha256: row.sha256,
    storage: row.storage as UploadRecord['storage'],
    uploadedBy: row.uploadedBy,
    createdAt: row.createdAt.toISOString(),
  };
  return { ...rec, reference: uploadReference(rec) };
}

/** The upload a reference names, or null. */
export async function findUpload(db: Db, reference: string | null | undefined): Promise<StoredUpload | null> {
  const id = uploadIdOf(reference);
  if (id === null) return null;
  const row = await db.uploadedFile.findUnique({ where: { id } });
  return row ? toRecord(row) : null;
}

async function receiveChecked(file: IncomingFile, limits: UploadLimits): Promise<{ received: Received; name: string; ext: string }> {
  const name = displayNameOf(file.name);
  try {
    check(name, null, limits);
  } catch (err) {
    // Refused on its name alone: drain nothing more than needed.
    file.stream.resume();
    throw err;
  }
  const received = await receive(file.stream, limits);
  try {
    return { received, name, ext: check(name, received, limits) };
  } catch (err) {
    await rm(received.temp, { force: true });
    throw err;
  }
}

export class LocalStorage implements FileStorage {
  readonly kind = 'local' as const;
  constructor(
    readonly dir: string,
    private readonly limits: UploadLimits,
  ) {}

  private pathOf(sha256: string): string {
    return path.join(this.dir, sha256);
  }

  async put(db: Db, file: IncomingFile, meta: { roundId: string; unitId: string; uploadedBy: string; at: Date }): Promise<StoredUpload> {
    const { received, name, ext } = await receiveChecked(file, this.limits);
    const existed = await stat(this.dir).then(
      () => true,
      () => false,
    );
    const target = this.pathOf(received.sha256);
    let wrote = false;
    try {
      await mkdir(this.dir, { recursive: true });
      const present = await stat(target).then(
        () => true,
        () => false,
      );
      if (!present) {
        await copyFile(received.temp, target);
        wrote = true;
      }
      const row = await db.uploadedFile.create({
        data: { roundId: meta.roundId, unitId: meta.unitId, originalName: name, extension: ext, size: received.size, sha256: received.sha256, storage: 'local', uploadedBy: meta.uploadedBy, createdAt: meta.at },
      });
      return toRecord(row);
    } catch (err) {
      if (wrote) await rm(target, { force: true });
      if (!existed) await rmdir(this.dir).catch(() => undefined);
      throw err;
    } finally {
      await rm(received.temp, { force: true });
    }
  }

  async discard(db: Db, upload: StoredUpload): Promise<void> {
    await db.uploadedFile.deleteMany({ where: { id: upload.id } });
    const others = await db.uploadedFile.count({ where: { sha256: upload.sha256, storage: 'local' } });
    if (others === 0) await rm(this.pathOf(upload.sha256), { force: true });
    // Leave no empty folder behind either.
    const left = await readdir(this.dir).catch(() => null);
    if (left && left.length === 0) await rmdir(this.dir).catch(() => undefined);
  }

  async open(_db: Db, upload: UploadRecord): Promise<Readable> {
    return createReadStream(this.pathOf(upload.sha256));
  }
}

export class DatabaseStorage implements FileStorage {
  readonly kind = 'database' as const;
  constructor(private readonly limits: UploadLimits) {}

  async put(db: Db, file: IncomingFile, meta: { roundId: string; unitId: string; uploadedBy: string; at: Date }): Promise<StoredUpload> {
    const { received, name, ext } = await receiveChecked(file, this.limits);
    try {
      // Read back from the temporary file once the size is known to be within the limit.
      const content = await readFile(received.temp);
      const row = await db.$transaction(async (tx) => {
        const blob = await tx.fileBlob.findUnique({ where: { sha256: received.sha256 }, select: { sha256: true } });
        if (!blob) await tx.fileBlob.create({ data: { sha256: received.sha256, size: received.size, content, createdAt: meta.at } });
        return tx.uploadedFile.create({
          data: { roundId: meta.roundId, unitId: meta.unitId, originalName: name, extension: ext, size: received.size, sha256: received.sha256, storage: 'database', uploadedBy: meta.uploadedBy, createdAt: meta.at },
        });
      });
      return toRecord(row);
    } finally {
      await rm(received.temp, { force: true });
    }
  }

  async discard(db: Db, upload: StoredUpload): Promise<void> {
    await db.$transaction(async (tx) => {
      await tx.uploadedFile.deleteMany({ where: { id: upload.id } });
      const others = await tx.uploadedFile.count({ where: { sha256: upload.sha256, storage: 'database' } });
      if (others === 0) await tx.fileBlob.deleteMany({ where: { sha256: upload.sha256 } });
    });
  }

  async open(db: Db, upload: UploadRecord): Promise<Readable> {
    const blob = await db.fileBlob.findUnique({ where: { sha256: upload.sha256 } });
    if (!blob) throw new AppError('not-found', `the content of upload ${upload.id} is missing from the database`);
    return Readable.from([Buffer.from(blob.content)]);
  }
}

/** A file on disk as an IncomingFile, for the CLI (`kybao submit --file`). */
export async function incomingFromPath(file: string): Promise<IncomingFile> {
  let s;
  try {
    s = await stat(file);
  } catch {
    throw new AppError('invalid', `--file ${file}: no such file; check the path`, 'file');
  }
  if (!s.isFile()) throw new AppError('invalid', `--file ${file}: not a regular file`, 'file');
  return { name: path.basename(file), stream: createReadStream(file) };
}
