/**
 * What an append expects of its stream: anything, that it does not exist yet, that it exists, or that
 * it is at exactly this version. Every store enforces all four.
 */
export type ExpectedVersion = 'any' | 'noStream' | 'exists' | number;
