/** A value as a grid cell shows it, on one line: its line breaks marked (↵), so "a↵b" does not look like "a". */
export const oneLine = (v: string): string => v.replace(/\r\n|\r|\n/g, '↵');
