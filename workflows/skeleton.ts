import { ApplicationFailure, condition, defineQuery, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { SkeletonActivities } from '../activities/skeleton';

/**
 * The walking skeleton: the smallest workflow that crosses every layer (timer, Prisma activity, SMTP
 * activity, Update with validator, Query). It proves the stack; the real procedures live beside it.
 */
const { recordObligation, sendNotice } = proxyActivities<SkeletonActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface SkeletonAgency {
  id: string;
  email: string;
}

export interface SkeletonInput {
  programId: string;
  roundId: string;
  agencies: SkeletonAgency[];
  /** How long the round waits before it opens, e.g. '1 hour'. */
  openAfter: Duration;
  /** How long it then waits for every agency to submit. */
  closeAfter: Duration;
}

export interface SkeletonStatus {
  roundId: string;
  phase: 'waiting' | 'open' | 'closed';
  openedAt: string | null;
  submitted: Record<string, string | null>;
}

// An Update rather than a Signal: the agency needs to know its submission was accepted (or why not).
export const submitUpdate = defineUpdate<SkeletonStatus, [{ agencyId: string }]>('skeleton.submit');
export const statusQuery = defineQuery<SkeletonStatus>('skeleton.status');

export async function skeletonWorkflow(input: SkeletonInput): Promise<SkeletonStatus> {
  const status: SkeletonStatus = {
    roundId: input.roundId,
    phase: 'waiting',
    openedAt: null,
    submitted: Object.fromEntries(input.agencies.map((a) => [a.id, null])),
  };
  setHandler(statusQuery, () => status);
  setHandler(
    submitUpdate,
    ({ agencyId }) => {
      status.submitted[agencyId] = new Date().toISOString();
      return status;
    },
    {
      validator: ({ agencyId }) => {
        if (!(agencyId in status.submitted)) {
          throw ApplicationFailure.nonRetryable(`unknown agency "${agencyId}": this round has ${Object.keys(status.submitted).join(', ')}`);
        }
        if (status.phase !== 'open') throw ApplicationFailure.nonRetryable(`round ${input.roundId} is ${status.phase}, not open`);
        if (status.submitted[agencyId]) throw ApplicationFailure.nonRetryable(`agency "${agencyId}" has already submitted`);
      },
    },
  );

  await sleep(input.openAfter);
  const openedAt = new Date().toISOString();
  for (const agency of input.agencies) {
    await recordObligation({ programId: input.programId, roundId: input.roundId, unitId: agency.id, dueAt: openedAt });
    await sendNotice({ roundId: input.roundId, to: agency.email, unitId: agency.id });
  }
  status.openedAt = openedAt;
  status.phase = 'open';
  await condition(() => Object.values(status.submitted).every(Boolean), input.closeAfter);
  status.phase = 'closed';
  return status;
}
