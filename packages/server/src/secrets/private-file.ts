import * as files from '../private-files.js';
import { SecretsError } from './errors.js';

// The shared private-file mechanics (../private-files.ts), reporting SecretsError codes.
const errorFor: files.ErrorFor = (problem, message) =>
  new SecretsError(problem === 'locked' ? 'LOCKED' : 'STORE_FILE', message);

export const ensurePrivateFolder = (home: string): void =>
  files.ensurePrivateFolder(home, errorFor, 'secrets');
export const readPrivateFile = (file: string): string | undefined => files.readPrivateFile(file, errorFor);
export const writePrivateFile = files.writePrivateFile;
export const withLock = <T>(lockFile: string, work: () => T): T => files.withLock(lockFile, work, errorFor);
