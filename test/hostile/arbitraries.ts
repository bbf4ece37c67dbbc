import fc from 'fast-check';

/**
 * Generators of hostile input shared by the property tests: wrong types, oversized and Unicode-tricky
 * strings, near-misses of real identifiers and broken instants. Each returns values that a correct edge
 * must refuse (or, for `anyText`, may accept but must never crash on).
 */

/** Characters that look like nothing or turn text around: zero-width, joiners, BOM, bidi marks and overrides. */
export const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u200e', '\u200f', '\u202a', '\u202b', '\u202d', '\u202e', '\u2066', '\u2069', '\u00ad'];

/** Values of the wrong JSON type for a string field. */
export const wrongType = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  );

/** Vietnamese text in NFD (decomposed), as macOS file names and some keyboards produce it. */
export const nfdVietnamese = (): fc.Arbitrary<string> =>
  fc.constantFrom('Sở Kế hoạch và Đầu tư', 'Báo cáo quý IV', 'Ủy ban nhân dân tỉnh Thái Bình', 'Nguyễn Thị Hường').map((s) => s.normalize('NFD'));

/** Any text: random Unicode (astral planes included), invisible marks, NFD, control characters, long runs. */
export const anyText = (maxLength = 300): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    nfdVietnamese(),
    fc.constantFrom('', ' ', '\t\n', '\u0000', 'a\u0000b', '\u202eexe.fdp', '../../etc/passwd', '<script>alert(1)</script>', "'; DROP TABLE \"Submission\"; --", '%00', '\ud800'),
    fc.tuple(fc.constantFrom(...INVISIBLES), fc.string({ maxLength: 10 })).map(([i, s]) => i + s + i),
  );

/** A string far beyond any field's limit (10 kB–200 kB). */
export const oversized = (): fc.Arbitrary<string> => fc.tuple(fc.constantFrom('a', 'ệ', '😀', '\u200b'), fc.integer({ min: 10_000, max: 200_000 })).map(([c, n]) => c.repeat(n));

/**
 * Near-misses of a real identifier (a unit id such as "so-khdt"): an invisible mark inserted, case or
 * width changed, a Cyrillic look-alike, a non-breaking hyphen, surrounding space, NFD of a Vietnamese
 * spelling. None of them is the identifier.
 */
export const nearMiss = (id: string): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.tuple(fc.constantFrom(...INVISIBLES), fc.nat({ max: id.length })).map(([c, i]) => id.slice(0, i) + c + id.slice(i)),
      fc.constant(id.toUpperCase()),
      fc.constant(id.replace(/[a-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0))), // fullwidth
      fc.constant(id.replace(/o/g, '\u043e').replace(/a/g, '\u0430').replace(/e/g, '\u0435')), // Cyrillic о а е
      fc.constant(id.replace(/-/g, '\u2011')), // non-breaking hyphen
      fc.constantFrom(` ${id}`, `${id} `, `${id}\n`, `${id}/`, `${id}-`, `${id}*`, `%${id}`),
      fc.constant(id.replace('so', 'Sở').normalize('NFD')),
    )
    .filter((s) => s !== id);

/** Strings that are not ISO-8601 instants with an offset, or are instants far outside any window. */
export const badInstant = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom('', 'tomorrow', '2026-13-01T00:00:00+07:00', '2026-02-30T00:00:00+07:00', '2026-12-25', '2026-12-25T00:00:00', '25/12/2026', '2026-12-25T00:00:00+25:00', '+275760-09-13T00:00:00Z', '２０２６-12-25T00:00:00+07:00'),
    fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.getTime()),
    wrongType(),
    anyText(40),
  );

/** Amounts in VND that are not whole đồng as digits (1–15 digits). */
export const badAmount = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom('', '-1', '1.5', '1,000,000', '1.000.000', '1e9', '１２３', '0x10', ' 100', '100 ', '1234567890123456', 'NaN', 'Infinity', '٣٤٥'),
    fc.integer(),
    fc.double(),
    wrongType(),
  );

/** A JSON value that is not an object at all (the whole payload). */
export const notAnObject = (): fc.Arbitrary<unknown> => fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 20 }), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }));

/** How many runs a property gets: KYBAO_PROPERTY_RUNS overrides (e.g. 1000 for a long local run). */
export function runs(defaultRuns: number): number {
  const n = Number(process.env.KYBAO_PROPERTY_RUNS);
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}
