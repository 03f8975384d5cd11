import fs from 'node:fs';
import path from 'node:path';
import { AUDIT_FILE, readSecretKey, tidyvaultHome, verifyAuditFile } from '@tidyvault/server/audit';
import { UsageError, type Args } from '../args.js';

/**
 * `tidyvault audit verify [--home <dir>]`: checks `$TIDYVAULT_HOME/audit.db` with the server's
 * key. Exit 0 printing the record count and the last hash when intact; 1 naming the first
 * edited, deleted or reordered record, or the anchor, when not.
 */
export async function audit(args: Args): Promise<number> {
  const [sub, ...extra] = args.positionals;
  if (sub !== 'verify') {
    throw new UsageError(
      sub === undefined
        ? 'missing the subcommand: verify'
        : `unknown subcommand "${sub}"; the one there is: verify`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const home = typeof args.values.home === 'string' ? path.resolve(args.values.home) : tidyvaultHome();
  const file = path.join(home, AUDIT_FILE);
  if (!fs.existsSync(file)) {
    process.stderr.write(`tidyvault audit: ${file} does not exist: no audit log in ${home}\n`);
    return 1;
  }
  const r = verifyAuditFile(file, readSecretKey(home));
  if (r.missingTriggers.length > 0) {
    process.stderr.write(
      `tidyvault audit: warning: the append-only triggers ${r.missingTriggers.join(', ')} are missing ` +
        `(someone with the file dropped them; the server puts them back when it starts)\n`,
    );
  }
  if (r.ok) {
    process.stdout.write(`${file}: intact, ${r.records} records; last hash ${r.lastHash}\n`);
    return 0;
  }
  process.stderr.write(
    `tidyvault audit: ${file} does NOT verify: ${r.problem}\n` +
      (r.firstBadSeq !== undefined ? `first bad record: ${r.firstBadSeq}\n` : '') +
      (r.lastSeq > 0 ? `records 1 to ${r.lastSeq} verify; the last has hash ${r.lastHash}\n` : ''),
  );
  return 1;
}
