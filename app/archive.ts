import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { Db } from '../infra/db/client';
import { getRound } from '../infra/db/round-repository';
import { AppError } from './errors';
import { findUpload, type FileStorage } from './storage';

/**
 * "Download a round's files as one archive": a zip, streamed as it is built, holding the latest
 * version of every unit's report, named "<unit>/<original name>" (reports submitted before uploads were
 * kept by id are left out, with a note in the archive).
 */
export async function roundArchive(db: Db, storage: FileStorage, roundId: string): Promise<{ fileName: string; stream: Readable; files: number }> {
  const round = await getRound(db, roundId);
  if (!round) throw new AppError('not-found', `no round ${roundId}`, 'roundId');
  const obligations = await db.obligation.findMany({
    where: { roundId },
    orderBy: { unitId: 'asc' },
    include: { submissions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  const zip = new ZipFile();
  const missing: string[] = [];
  let files = 0;
  for (const o of obligations) {
    const latest = o.submissions[0];
    if (!latest) continue;
    const upload = await findUpload(db, latest.fileRef);
    if (!upload) {
      missing.push(`${o.unitId}: version ${latest.version}, ${latest.fileRef ?? 'no file'}`);
      continue;
    }
    zip.addReadStream(await storage.open(db, upload), `${o.unitId}/v${latest.version}-${upload.originalName.replace(/[/\\]/g, '_')}`, { mtime: new Date(latest.submittedAt) });
    files += 1;
  }
  if (missing.length) zip.addBuffer(Buffer.from(`Not in this archive (kept outside kybao's storage):\n${missing.join('\n')}\n`), 'MISSING.txt');
  zip.end();
  return { fileName: `${roundId.replace(/[:]/g, '_')}.zip`, stream: zip.outputStream as Readable, files };
}
