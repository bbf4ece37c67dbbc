/** Compiled reports in the database: one operation a file; the life-cycle rules are domain/compilation's. */
export * from './attach-report-documents';
export * from './edit-compiled-draft';
export * from './fix-report-due-at';
export * from './issue-compiled-report';
export * from './read-compiled-reports';
export * from './records';
export * from './save-compiled-draft';
