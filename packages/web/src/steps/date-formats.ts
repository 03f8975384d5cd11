import { PROFILE_DATE_FORMATS } from '@tidyvault/core';

/** The formats the profiler recognises, tried in this order (ISO first). */
export const PROFILE_DATE_FORMATS_FOR_UI: string[] = [...PROFILE_DATE_FORMATS];
