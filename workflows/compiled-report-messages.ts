import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CompiledReportStatus, EditReportRequest, IssueReportRequest, RecompileReportRequest } from '../domain/compilation/obligation';

/**
 * The messages of a compiled report's workflow (workflows/compiled-report.ts), defined once for it and its
 * clients (app/workflow-gateway.ts). The coordinator's actions are Updates, because the caller needs the
 * answer: the report's status after the edit, its number once issued, or the reason of a refusal.
 */
export const editReportUpdate = defineUpdate<CompiledReportStatus, [EditReportRequest]>('report.edit');
export const issueReportUpdate = defineUpdate<CompiledReportStatus, [IssueReportRequest]>('report.issue');
export const recompileReportUpdate = defineUpdate<CompiledReportStatus, [RecompileReportRequest]>('report.recompile');
export const reportStatusQuery = defineQuery<CompiledReportStatus>('report.status');

/** The ApplicationFailure type of every refusal of these Updates (the reason is its message). */
export const REPORT_REFUSED = 'ReportRefused';
