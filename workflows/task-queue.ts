/** The one task queue every kybao worker polls; clients and workers import it from here. */
export const TASK_QUEUE = 'kybao';
