import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared data sets and fixed splits, in ../shared beside the repository (research licence:
 * read from there, never copied in). Every benchmark resolves them through here, so a checkout
 * anywhere finds them relative to itself.
 */
export const SHARED = fileURLToPath(new URL('../../shared', import.meta.url));

/** e.g. sharedPath('datasets', 'ml-100k') */
export const sharedPath = (...parts: string[]): string => join(SHARED, ...parts);
