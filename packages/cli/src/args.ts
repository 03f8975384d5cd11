export type Args = { positionals: string[]; values: Record<string, string | boolean | undefined> };

export class UsageError extends Error {}

export function requireString(args: Args, name: string): string {
  const v = args.values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function optionalInt(args: Args, name: string, min: number, max: number): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

export function optionalNumber(args: Args, name: string, min: number, max: number): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}
