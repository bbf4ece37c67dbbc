/**
 * Activity errors that a retry cannot fix: the repositories throw these for bad input or a state that
 * forbids the write. Retrying them would only stall the workflow, so they fail the activity at once.
 */
export const NON_RETRYABLE = ['InvalidInputError', 'NotFoundError', 'InvalidStateError'];
