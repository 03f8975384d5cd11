import { FILE_FORMATS, fileFormat } from '../file-formats.js';
import type { InputFormat } from './types.js';

export const INPUT_FORMATS: readonly InputFormat[] = FILE_FORMATS;

export const formatFromName = (name: string, explicit?: string, flag = '--format'): InputFormat =>
  fileFormat(name, explicit, flag);
