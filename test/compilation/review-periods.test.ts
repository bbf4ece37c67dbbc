import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { reviewPeriodsOf } from '../../domain/compilation/review-periods';
import { defaultProgramPath, loadProgramFile } from '../../domain/program/load-file';

/**
 * Which reviews a cycle year compiles at its end, and over which years (workflows/cycle.ts calls this
 * with the program's outline): a sơ kết from the year after the previous one, or from the program's
 * first year; the tổng kết over the whole period.
 */
const program = (preliminaryYears: number[], finalYear: number, firstYear = 2014) => ({ period: { firstYear }, reviews: { preliminaryYears, finalYear } });

describe('reviewPeriodsOf', () => {
  it('the default program (Decision 925): sơ kết 2014–2017 in 2017, tổng kết 2014–2020 in 2020, nothing in other years', () => {
    // The file as it ships, so a change to its review years shows here.
    const def = loadProgramFile(defaultProgramPath);
    expect((parse(readFileSync(defaultProgramPath, 'utf8')) as { reviews: unknown }).reviews).toEqual({ preliminaryYears: [2017], finalYear: 2020 });
    expect(reviewPeriodsOf(def, 2017)).toEqual([{ review: 'preliminary', fromYear: 2014, toYear: 2017 }]);
    expect(reviewPeriodsOf(def, 2020)).toEqual([{ review: 'final', fromYear: 2014, toYear: 2020 }]);
    for (const year of [2014, 2015, 2016, 2018, 2019]) expect(reviewPeriodsOf(def, year)).toEqual([]);
  });

  it('a second sơ kết starts the year after the first, so no year is reviewed twice at mid-term', () => {
    const p = program([2018, 2016], 2020);
    expect(reviewPeriodsOf(p, 2016)).toEqual([{ review: 'preliminary', fromYear: 2014, toYear: 2016 }]);
    expect(reviewPeriodsOf(p, 2018)).toEqual([{ review: 'preliminary', fromYear: 2017, toYear: 2018 }]);
  });

  it('the tổng kết covers the whole period even after a sơ kết; a year that is both compiles both, sơ kết first', () => {
    expect(reviewPeriodsOf(program([2016, 2020], 2020), 2020)).toEqual([
      { review: 'preliminary', fromYear: 2017, toYear: 2020 },
      { review: 'final', fromYear: 2014, toYear: 2020 },
    ]);
  });

  it('a review in the first year covers that year alone', () => {
    expect(reviewPeriodsOf(program([2014], 2014), 2014)).toEqual([
      { review: 'preliminary', fromYear: 2014, toYear: 2014 },
      { review: 'final', fromYear: 2014, toYear: 2014 },
    ]);
  });
});
