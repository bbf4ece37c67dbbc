import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPrebuiltProgram, writePrebuiltProgram } from '../../client/cli/prebuilt-program';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';

/**
 * `kybao calendar` reads the default program as the build validated it (client/cli/prebuilt-program.ts):
 * it must be the very program the loader gives, and be refused whenever it may not be.
 */
describe('the prebuilt default program', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-prebuilt-'));
    file = path.join(dir, 'default-program.json');
    writePrebuiltProgram(loadProgramFile(defaultProgramPath), file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('when read back for the default program, then it equals the program loaded and validated from its files', () => {
    const prebuilt = readPrebuiltProgram(defaultProgramPath, file);
    expect(prebuilt).not.toBeNull();
    expect(prebuilt).toEqual(loadProgramFile(defaultProgramPath));
    // The published holiday schedule merged in at build time is there (2015 is a published year).
    expect(prebuilt!.calendar.overrides.some((o) => o.year === 2015)).toBe(true);
  });

  test('when another program file is asked for, then there is no prebuilt program', () => {
    expect(readPrebuiltProgram(path.join(dir, 'other.yaml'), file)).toBeNull();
  });

  test('when the texts changed since the build (another key), then it is refused', () => {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { key: string };
    const stale = path.join(dir, 'stale.json');
    writeFileSync(stale, JSON.stringify({ ...stored, key: '0'.repeat(64) }));
    expect(readPrebuiltProgram(defaultProgramPath, stale)).toBeNull();
  });

  test('when the file is missing or broken, or this is not the build, then it is refused', () => {
    expect(readPrebuiltProgram(defaultProgramPath, path.join(dir, 'missing.json'))).toBeNull();
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"key":');
    expect(readPrebuiltProgram(defaultProgramPath, broken)).toBeNull();
    // From the TypeScript sources (no KYBAO_BUILT), the default is not to use it.
    expect(readPrebuiltProgram(defaultProgramPath)).toBeNull();
  });
});
