import { fileSize } from '../../domain/text/format';

/** File sizes as the agency's receipt shows them (domain/text/format.ts fileSize). */
describe('a file size for people', () => {
  test('bytes below 1 KB, then KB and MB of 1,024 with one decimal, a comma in Vietnamese', () => {
    expect(fileSize(0, 'vi')).toBe('0 byte');
    expect(fileSize(1, 'en')).toBe('1 byte');
    expect(fileSize(27, 'en')).toBe('27 bytes');
    expect(fileSize(1023, 'vi')).toBe('1023 byte');
    expect(fileSize(1024, 'vi')).toBe('1 KB');
    expect(fileSize(1536, 'vi')).toBe('1,5 KB');
    expect(fileSize(1536, 'en')).toBe('1.5 KB');
    // What would round to 1024 KB reads as MB.
    expect(fileSize(1024 * 1024 - 1, 'en')).toBe('1 MB');
    expect(fileSize(1024 * 1023, 'en')).toBe('1023 KB');
    expect(fileSize(1024 * 1024, 'en')).toBe('1 MB');
    expect(fileSize(Math.round(20.25 * 1024 * 1024), 'vi')).toBe('20,3 MB');
  });
});
