/*
 * What stops a write before it starts, each with its own exit code (see cli/main.ts): loaded with no
 * other module, so a command that writes nothing loads no writer.
 */

/** Raised when another run holds the output folder. */
export class OutputLockedError extends Error {}

/** Raised, before anything is written, when the output folder holds what this run must not touch. */
export class OutputConflictError extends Error {}
