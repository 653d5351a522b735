export type { ApiRecord, ListResult, RecordService } from './records.contract.ts';
export { createRecordService } from './records.service.ts';
export { recordErrors } from './records.errors.ts';
export type { ListLimits } from './list-query.ts';
