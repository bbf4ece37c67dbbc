import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultProgramPath, loadProgramFile, readProgramFile } from '../../domain/program/load-file';

/**
 * What a program's YAML parses to is cached by the text's hash (domain/program/load-file.ts): the second
 * load reads it back, an edited file is parsed again, and validation runs every time.
 */
describe('the parsed-YAML cache of program files', () => {
  let cache: string;
  let dir: string;
  const saved = process.env.KYBAO_CACHE_DIR;
  beforeEach(() => {
    cache = mkdtempSync(path.join(os.tmpdir(), 'kybao-cache-'));
    dir = mkdtempSync(path.join(os.tmpdir(), 'kybao-programs-'));
    process.env.KYBAO_CACHE_DIR = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.KYBAO_CACHE_DIR;
    else process.env.KYBAO_CACHE_DIR = saved;
    rmSync(cache, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const cached = () => (existsSync(path.join(cache, 'programs')) ? readdirSync(path.join(cache, 'programs')).filter((f) => f.endsWith('.json')) : []);

  test('the first load parses and keeps the result; the second gives the same program from the cache', () => {
    // The program file and the published holiday schedule it names (calendar.holidaySchedule) are both YAML.
    const first = loadProgramFile(defaultProgramPath);
    expect(first.calendar.holidaySchedule).toBeTruthy();
    expect(cached()).toHaveLength(2);
    const second = loadProgramFile(defaultProgramPath);
    expect(second).toEqual(first);
    expect(cached()).toHaveLength(2);
  });

  test('an edited file is parsed again, and a cached text is still validated', () => {
    const file = path.join(dir, 'program.yaml');
    writeFileSync(file, readFileSync(defaultProgramPath, 'utf8').replace(/^id: .*$/m, 'id: edited-program'));
    expect(loadProgramFile(file).id).toBe('edited-program');
    // Its text and the holiday schedule it names.
    expect(cached()).toHaveLength(2);
    // A text that parses but is no program: the second read comes from the cache, and is still refused.
    writeFileSync(file, 'id: x\n');
    const invalid = { ok: false, problems: expect.arrayContaining([expect.stringMatching(/^title: /)]) };
    expect(readProgramFile(file)).toMatchObject(invalid);
    expect(cached()).toHaveLength(3);
    expect(readProgramFile(file)).toMatchObject(invalid);
    expect(cached()).toHaveLength(3);
  });

  test('invalid YAML is reported, not cached', () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'units: [\n');
    expect(readProgramFile(file)).toMatchObject({ ok: false, unreadable: true, problems: [expect.stringMatching(/not valid YAML/)] });
    expect(cached()).toHaveLength(0);
  });
});
