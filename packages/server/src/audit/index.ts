// `@tidyvault/server/audit`: the audit log without the web server (for `tidyvault audit verify`).
export { AUDIT_FILE, AuditIntegrityError, AuditLog, verifyAuditFile, type AuditEvent } from './log.js';
export type { AuditRecord, VerifyResult } from './chain.js';
export { readSecretKey, tidyvaultHome } from '../home.js';
