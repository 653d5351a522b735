export type {
  ActorKind,
  AuditActor,
  AuditEvent,
  AuditLog,
  AuditPage,
  AuditQuery,
  ChainProblem,
  ChainReport,
  FieldChange,
  SecurityEventInput,
} from './audit.contract.ts';
export { actorOf, createAuditLog, lockChainAfter, platformChainId } from './audit.service.ts';
export type { AuditLogOptions } from './audit.service.ts';
export { maskedValue } from './audit-changes.ts';
export { auditErrors } from './audit.errors.ts';
export { auditRoutes } from './audit.routes.ts';
export { auditMigrations } from './paths.ts';
