import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { History } from '@temporalio/common/lib/proto-utils';

/**
 * historyToJSON / historyFromJSON as in @temporalio/common/lib/proto-utils (the proto3 JSON that
 * Temporal's CLI and UI write), bound to the protobufjs copy that @temporalio/proto's types were built
 * with. The SDK's own helpers load protobufjs through @temporalio/common, and where npm installed a
 * second copy there (as in this lock file) protojson rejects the types ("type must be a Type").
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path resolved at run time (see above)
const protojson = require(
  require.resolve('protobufjs/ext/protojson', { paths: [path.dirname(require.resolve('@temporalio/proto'))] }),
) as ProtoJson;

const patched = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
const historyType = patched.lookupType('temporal.api.history.v1.History');

export function historyToJSON(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history as object)), null, 2);
}

/** Accepts the enum spellings both of Temporal's tools ("EVENT_TYPE_ACTIVITY_TASK_SCHEDULED") and of older exports ("ActivityTaskScheduled"). */
export function historyFromJSON(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('expected an object with an array of events');
  }
  const constant = (s: string) => s.replace(/[^\b][A-Z]/g, (m) => `${m[0]}_${m[1]}`).toUpperCase();
  const fixEnum = (obj: Record<string, unknown>, attr: string, prefix: string) => {
    const v = obj[attr];
    return typeof v === 'string' ? { [attr]: v.startsWith(prefix) ? v : `${prefix}_${constant(v)}` } : {};
  };
  const events = (json as { events: Array<Record<string, unknown>> }).events.map((e) => {
    const key = Object.keys(e).find((k) => k.endsWith('EventAttributes'));
    if (!key) throw new TypeError(`an event without attributes: ${JSON.stringify(e).slice(0, 200)}`);
    const attrs = e[key] as Record<string, unknown>;
    const taskQueue = attrs.taskQueue as Record<string, unknown> | undefined;
    const childFailure = attrs.childWorkflowExecutionFailureInfo as Record<string, unknown> | undefined;
    return {
      ...e,
      ...fixEnum(e, 'eventType', 'EVENT_TYPE'),
      [key]: {
        ...attrs,
        ...(taskQueue ? { taskQueue: { ...taskQueue, ...fixEnum(taskQueue, 'kind', 'TASK_QUEUE_KIND') } } : {}),
        ...fixEnum(attrs, 'parentClosePolicy', 'PARENT_CLOSE_POLICY'),
        ...fixEnum(attrs, 'workflowIdReusePolicy', 'WORKFLOW_ID_REUSE_POLICY'),
        ...fixEnum(attrs, 'initiator', 'CONTINUE_AS_NEW_INITIATOR'),
        ...fixEnum(attrs, 'retryState', 'RETRY_STATE'),
        ...(childFailure ? { childWorkflowExecutionFailureInfo: { ...childFailure, ...fixEnum(childFailure, 'retryState', 'RETRY_STATE') } } : {}),
      },
    };
  });
  const loaded = protojson.fromJson(historyType, { events }, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('not a history');
  return loaded as History;
}
