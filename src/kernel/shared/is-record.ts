/** A plain JSON object (not null, not an array): what parsed JSON input must be to read its keys. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
