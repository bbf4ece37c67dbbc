import fc from 'fast-check';
import { simulateFormData, tasksOfUnit } from '../../client/simulate/form-filling';
import { validateFormData } from '../../domain/forms';
import { reportingUnits } from '../../domain/program';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';

const program = loadProgramFile(defaultProgramPath);
const form = program.forms!['quarterly-report']!;

describe('simulated units filling the default form', () => {
  test('whatever the seed, every reporting unit’s form passes the schema unchanged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom('2015-Q1', '2015-Q2', '2016-Q4'), (seed, roundKey) => {
        for (const unit of reportingUnits(program)) {
          const data = simulateFormData(program, form, unit, seed, roundKey);
          expect(validateFormData(form, unit, data)).toEqual({ ok: true, data });
        }
      }),
      { numRuns: 25 },
    );
  });

  test('the same seed, unit and round give the same form; another round another one', () => {
    const unit = program.units.find((u) => u.id === 'so-khdt')!;
    expect(simulateFormData(program, form, unit, 7, '2015-Q1')).toEqual(simulateFormData(program, form, unit, 7, '2015-Q1'));
    expect(simulateFormData(program, form, unit, 7, '2015-Q1')).not.toEqual(simulateFormData(program, form, unit, 7, '2015-Q2'));
  });

  test('a unit writes about the focal tasks it leads or coordinates (groups resolved)', () => {
    expect(tasksOfUnit(program, 'so-khdt')).toEqual([8, 9, 12, 15]); // 15: coordinated by every department (so-ban-nganh)
    expect(tasksOfUnit(program, 'ubnd-vu-thu')).toEqual([12, 15]);
    const unit = program.units.find((u) => u.id === 'so-khdt')!;
    expect(Object.keys(simulateFormData(program, form, unit, 1, '2015-Q1').sections['ket-qua-nhiem-vu']!.tasks)).toEqual(['8', '9', '12', '15']);
  });
});
