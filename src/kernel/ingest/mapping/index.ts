/** Mapping specs (kernel/ingest/mapping): validate, diff, compile to a row mapper, export rows back. */
export { compileKeyReader, compileMapping } from './compile-mapping.ts';
export { diffMappingSpecs } from './diff-mapping-specs.ts';
export type { SpecChange } from './diff-mapping-specs.ts';
export { checkInvertible, compileExport, exportRow } from './export-row.ts';
export type { ExportOptions, RowExporter } from './export-row.ts';
export { mappingSpecSchema, validateMappingSpec } from './mapping-spec.schema.ts';
export type { SpecValidation } from './mapping-spec.schema.ts';
export type { MappingTarget } from './mapping-target.ts';
export { mappingErrors } from './mapping.errors.ts';
export { isReferenceMarker } from './code-ops.ts';
export type { ReferenceMarker } from './code-ops.ts';
export { transformOps } from './transforms.ts';
