import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createPrismaClient, type Db } from '../../infra/db/client';
import { ensureClientsGenerated } from '../../infra/db/migrate';
import { AppError } from '../../app/errors';
import { DatabaseStorage, LocalStorage, findUpload, type FileStorage } from '../../app/storage';
import { createEmptyDatabase, migrate, providers, type TestDatabase } from '../db/harness';

/**
 * Both file storages on a real database: what is kept (bytes under their SHA-256, the NFC name for
 * display, a row), what is refused (empty, over the limit while streaming, a type not listed, content
 * contradicting its extension), and that a refusal or a discard leaves nothing: no row, no blob, no
 * file, no folder.
 */
const limits = { maxBytes: 64 * 1024, types: ['pdf', 'docx', 'png'] };
const meta = { roundId: 'p:2026-Q4', unitId: 'so-khdt', uploadedBy: 'agency:so-khdt', at: new Date('2026-12-01T03:00:00Z') };
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n${text}\n`);
const streamOf = (b: Buffer) => Readable.from([b]);
async function refused(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe.each(providers)('file storage on %s', (provider) => {
  let database: TestDatabase;
  let db: Db;
  let dir: string;
  beforeAll(async () => {
    await ensureClientsGenerated({ log: () => undefined });
    database = await createEmptyDatabase(provider);
    await migrate(database.url);
    db = createPrismaClient(database.url);
    dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-storage-'));
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const storages = (): Array<[string, FileStorage, () => string[]]> => [
    ['local', new LocalStorage(path.join(dir, 'submissions'), limits), () => (existsSync(path.join(dir, 'submissions')) ? readdirSync(path.join(dir, 'submissions')) : [])],
    ['database', new DatabaseStorage(limits), () => []],
  ];

  it('keeps a file under its hash with its NFC name, and discards it without a trace', async () => {
    for (const [kind, storage, files] of storages()) {
      const name = `../x/Báo cáo quý IV ${kind}.pdf`.normalize('NFD');
      const up = await storage.put(db, { name, stream: streamOf(pdf(kind)) }, meta);
      expect(up).toMatchObject({ originalName: `Báo cáo quý IV ${kind}.pdf`.normalize('NFC'), extension: 'pdf', size: pdf(kind).length, storage: kind });
      expect(up.reference).toBe(`upload:${up.id}#sha256=${up.sha256}`);
      if (kind === 'local') expect(files()).toEqual([up.sha256]);
      else expect(await db.fileBlob.count({ where: { sha256: up.sha256 } })).toBe(1);
      const back = await findUpload(db, up.reference);
      const chunks: Buffer[] = [];
      for await (const ch of await storage.open(db, back!)) chunks.push(ch as Buffer);
      expect(Buffer.concat(chunks)).toEqual(pdf(kind));
      await storage.discard(db, up);
      expect(await db.uploadedFile.count()).toBe(0);
      expect(await db.fileBlob.count()).toBe(0);
      expect(existsSync(path.join(dir, 'submissions'))).toBe(false);
    }
  });

  it('refuses empty, oversized, unlisted and disguised files, keeping nothing', async () => {
    for (const [, storage] of storages()) {
      expect((await refused(storage.put(db, { name: 'rong.pdf', stream: streamOf(Buffer.alloc(0)) }, meta))).code).toBe('invalid');
      const huge = Readable.from((function* () {
        yield Buffer.from('%PDF-');
        for (let i = 0; i < 10_000; i++) yield Buffer.alloc(64 * 1024);
      })());
      const big = await refused(storage.put(db, { name: 'lon.pdf', stream: huge }, meta));
      expect(big.code).toBe('too-large');
      expect(huge.destroyed).toBe(true);
      expect((await refused(storage.put(db, { name: 'a.exe', stream: streamOf(Buffer.from('MZ')) }, meta))).code).toBe('unsupported-type');
      expect((await refused(storage.put(db, { name: 'a.png', stream: streamOf(pdf('not png')) }, meta))).code).toBe('unsupported-type');
      expect(await db.uploadedFile.count()).toBe(0);
      expect(await db.fileBlob.count()).toBe(0);
      expect(existsSync(path.join(dir, 'submissions'))).toBe(false);
      expect(readdirSync(os.tmpdir()).filter((f) => f.startsWith('kybao-upload-'))).toEqual([]);
    }
  });

  it('shares one copy between uploads of the same content', async () => {
    for (const [kind, storage, files] of storages()) {
      const a = await storage.put(db, { name: 'a.pdf', stream: streamOf(pdf('same')) }, meta);
      const b = await storage.put(db, { name: 'b.pdf', stream: streamOf(pdf('same')) }, meta);
      expect(a.sha256).toBe(b.sha256);
      await storage.discard(db, a);
      if (kind === 'local') expect(files()).toEqual([b.sha256]);
      else expect(await db.fileBlob.count()).toBe(1);
      await storage.discard(db, b);
      expect(await db.fileBlob.count()).toBe(0);
      expect(files()).toEqual([]);
    }
  });
});
