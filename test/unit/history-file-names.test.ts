import { fileNameFor, runIdTag, workflowIdFromFileName } from '../../client/audit/history';

/**
 * History files carry 8 characters of the run id when a workflow has several runs. Temporal's server makes
 * run ids as UUIDv7: two runs of one shard started within the same 65 s (continue-as-new during a burst)
 * share their first 8 hex digits, so those would name both runs' files alike and one would overwrite the
 * other in an export. The first run id below is a shard's from a scale run, the second one of the same minute.
 */
describe('history file names', () => {
  const earlier = '01a23135-c0c9-747b-a1aa-32baa150a404';
  const later = '01a23135-f3e2-7a10-8b3d-5e0c9d41b7aa';

  it('tells runs apart that started in the same minute', () => {
    expect(runIdTag(earlier)).not.toBe(runIdTag(later));
    const names = [earlier, later].map((runId) => fileNameFor('round:scale-3000:2026-burst:shard-27', { runId }));
    expect(names).toEqual(['round__scale-3000__2026-burst__shard-27.a150a404.json', 'round__scale-3000__2026-burst__shard-27.9d41b7aa.json']);
    expect(new Set(names).size).toBe(2);
  });

  it('gives the workflow id back from a file name, with or without a run tag and a label', () => {
    expect(workflowIdFromFileName(fileNameFor('round:qd-925-thai-binh:2015-Q1:shard-3', { runId: later }))).toBe('round:qd-925-thai-binh:2015-Q1:shard-3');
    expect(workflowIdFromFileName(fileNameFor('cycle:qd-925-thai-binh:2015', { label: 'year-2015' }))).toBe('cycle:qd-925-thai-binh:2015');
    expect(workflowIdFromFileName('round__qd-925-thai-binh__2015-Q1__shard-3.json')).toBe('round:qd-925-thai-binh:2015-Q1:shard-3');
  });
});
