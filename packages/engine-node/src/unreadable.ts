/** Why a file could not be opened, in words (a Node file-system error's code). */
export function unreadableReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'there is no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  return code ?? (e instanceof Error ? e.message : String(e));
}
