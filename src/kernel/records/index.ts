export type { ApiRecord, CustomFieldSource, ListResult, RecordAction, RecordChange, RecordListener, RecordService, RunnableAction, SyncChangeOutcome, SyncRecord, SyncView, WriteDetails } from './records.contract.ts';
export { createRecordService } from './records.service.ts';
export type { RecordServiceOptions } from './records.service.ts';
export { recordErrors } from './records.errors.ts';
export type { ListLimits } from './list-query.ts';
export { checkExt } from './custom-field-values.ts';
