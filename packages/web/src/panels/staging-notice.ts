import type { Location } from '../api/types.js';

/**
 * What to tell the user when the server stages uploads outside RAM (no tmpfs /dev/shm there):
 * the file passed through a folder on its disk. Nothing when staging is RAM-backed, or in local
 * mode (no staging at all).
 */
export function stagingNotice(loc: Pick<Location, 'staging'>): string | undefined {
  if (!loc.staging || loc.staging.ramBacked) return undefined;
  return `While it was uploaded, the file passed through ${loc.staging.folder} on the server's disk (not memory): it was removed once loaded, but its bytes may stay on that disk until overwritten.`;
}
