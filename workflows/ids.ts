/**
 * Workflow ids are built from business keys here and nowhere else, so a client can address a program,
 * a year or a round without asking anyone.
 */
export const programWorkflowId = (programId: string) => `program:${programId}`;
export const cycleWorkflowId = (programId: string, year: number) => `cycle:${programId}:${year}`;
/** Group n (1-based, domain/cycle/estimate-groups.ts) of a year's budget estimates. */
export const estimatesWorkflowId = (programId: string, year: number, group: number) => `estimates:${programId}:${year}:${group}`;
export const roundWorkflowId = (roundId: string) => `round:${roundId}`;
/** Round ids are unique across programs: "<program>:<round key>", e.g. "qd925-ttdn-2014-2020:2015-Q1". */
export const roundIdOf = (programId: string, roundKey: string) => `${programId}:${roundKey}`;
/** Shard n (1-based) of a round: the workflow holding those units' obligations. */
export const roundShardWorkflowId = (roundId: string, shard: number) => `round:${roundId}:shard-${shard}`;
/** Group n (1-based) of a large round's shards: the workflow that starts and awaits them. */
export const roundShardGroupWorkflowId = (roundId: string, group: number) => `round:${roundId}:group-${group}`;
/** The workflow holding a compiled report as the coordinator's obligation (its id: "<program>:<scope key>"). */
export const compiledReportWorkflowId = (reportId: string) => `report:${reportId}`;
