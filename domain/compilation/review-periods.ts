/**
 * Which review reports a cycle year compiles at its end, and over which years (pure; safe for workflow
 * code). Decision 925 asks for periodic preliminary reviews (sơ kết) and a final review (tổng kết) at
 * the end of the program, but sets neither their years nor their periods; the program file gives the
 * years (`reviews.preliminaryYears`, `reviews.finalYear`) and kybao chooses the periods:
 *
 * - a preliminary review covers the years since the previous preliminary review (exclusive), or since
 *   the program's first year when it is the first one, up to its own year: with reviews in 2016 and 2018
 *   of a 2014–2020 program, 2014–2016 then 2017–2018, so no year is reviewed twice at mid-term;
 * - the final review covers the whole program period, from its first year to the final review's year
 *   (a tổng kết looks back over everything, earlier sơ kết included).
 *
 * A year that is both a preliminary and the final review's year compiles both, preliminary first.
 */
export interface ReviewPeriod {
  review: 'preliminary' | 'final';
  fromYear: number;
  toYear: number;
}

export interface ReviewYears {
  period: { firstYear: number };
  reviews: { preliminaryYears: readonly number[]; finalYear?: number | undefined };
}

export function reviewPeriodsOf(program: ReviewYears, year: number): ReviewPeriod[] {
  const out: ReviewPeriod[] = [];
  const first = program.period.firstYear;
  if (program.reviews.preliminaryYears.includes(year)) {
    const earlier = program.reviews.preliminaryYears.filter((y) => y < year);
    const fromYear = earlier.length ? Math.max(...earlier) + 1 : first;
    out.push({ review: 'preliminary', fromYear: Math.max(first, fromYear), toYear: year });
  }
  if (program.reviews.finalYear === year) out.push({ review: 'final', fromYear: Math.min(first, year), toYear: year });
  return out;
}
