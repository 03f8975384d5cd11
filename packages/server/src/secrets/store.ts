import path from 'node:path';
import { z } from 'zod';
import { withSortedKeys } from '@tidyvault/core';
import { open, seal, sealedSchema, type Sealed } from './envelope.js';
import { SecretsError } from './errors.js';
import type { SecretsKey } from './key.js';
import { ensurePrivateFolder, readPrivateFile, withLock, writePrivateFile } from './private-file.js';

/**
 * The secrets store: named connections to data sources, and secret values such as server keys
 * (the OIDC client secret), kept in `$TIDYVAULT_HOME/secrets.json`
 * (0600, in the 0700 data folder, replaced atomically under a lock, like users.json). Settings
 * that are not secret (host, port, user…) are readable there; secret fields (the password) are
 * sealed with envelope encryption (envelope.ts) under the operator's key, which is never
 * written into the store. Every secret's authenticated data binds the record's name, the field
 * and all its settings, so nobody without the key can move a password to another record or
 * point it at another host. The CLI (`tidyvault secrets …`) writes it; a running server reads
 * it at each use, so changes apply without a restart.
 */

export const SECRETS_FILE = 'secrets.json';

/** TLS to PostgreSQL: verify-full (the default: CA chain and host name) or disable (no TLS). */
export const SSL_MODES = ['verify-full', 'disable'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const postgresSettingsSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  database: z.string().min(1).max(63),
  user: z.string().min(1).max(63),
  sslmode: z.enum(SSL_MODES),
  /** PEM file of the CA(s) that sign the server's certificate; absent: the system's trust store. */
  caFile: z.string().optional(),
  /** Who may use it through `tidyvault serve`: user names, or `*` for every signed-in user. */
  serverUsers: z.array(z.string()),
});
export type PostgresSettings = z.infer<typeof postgresSettingsSchema>;

const postgresRecordSchema = z.strictObject({
  name: z.string(),
  kind: z.literal('postgres'),
  settings: postgresSettingsSchema,
  secrets: z.strictObject({ password: sealedSchema.optional() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** A server key or other secret value on its own (the OIDC client secret, say). */
const valueRecordSchema = z.strictObject({
  name: z.string(),
  kind: z.literal('value'),
  settings: z.strictObject({}),
  secrets: z.strictObject({ value: sealedSchema }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const recordSchema = z.discriminatedUnion('kind', [postgresRecordSchema, valueRecordSchema]);
type SecretRecord = z.infer<typeof recordSchema>;
type PostgresRecord = z.infer<typeof postgresRecordSchema>;

const documentSchema = z.strictObject({
  version: z.literal(1),
  /** Id of the key every secret here is sealed with (null while there are none). */
  keyId: z.string().nullable(),
  records: z.array(recordSchema),
});
type SecretsDocument = z.infer<typeof documentSchema>;

/** What anyone may see of a record: never a secret value, only whether there is one. */
export type SecretSummary =
  | {
      name: string;
      kind: 'postgres';
      settings: PostgresSettings;
      hasPassword: boolean;
      createdAt: string;
      updatedAt: string;
    }
  | { name: string; kind: 'value'; createdAt: string; updatedAt: string };
export type ConnectionSummary = Extract<SecretSummary, { kind: 'postgres' }>;

export interface PostgresCredentials {
  name: string;
  settings: PostgresSettings;
  /** Undefined when the connection has none (the server authenticates otherwise). */
  password: string | undefined;
}

/** Passed as the password to setPostgres: keep the one the record has (re-sealed with the new settings). */
export const KEEP_PASSWORD: unique symbol = Symbol('keep the stored password');

/** 1–64 characters: lower-case letters, digits, `.`, `_`, `-`, starting with a letter or digit (`pg.sales`). */
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function secretNameProblem(name: string): string | undefined {
  return NAME.test(name)
    ? undefined
    : `"${name.slice(0, 80)}" is not a valid connection name: use 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. pg.sales)`;
}

/** The authenticated data of one secret field of one record. */
function aad(record: { name: string; kind: string; settings: object }, field: string): Buffer {
  return Buffer.from(
    JSON.stringify(['tidyvault-secret', 1, record.name, record.kind, field, withSortedKeys(record.settings)]),
    'utf8',
  );
}

const summary = (r: SecretRecord): SecretSummary =>
  r.kind === 'postgres'
    ? {
        name: r.name,
        kind: r.kind,
        settings: structuredClone(r.settings),
        hasPassword: r.secrets.password !== undefined,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      }
    : { name: r.name, kind: r.kind, createdAt: r.createdAt, updatedAt: r.updatedAt };

const sortByName = (records: SecretRecord[]) =>
  records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

export class SecretsStore {
  readonly file: string;
  private readonly lockFile: string;

  /** `key` may be left out to list or delete; reading or writing a secret needs it. */
  constructor(
    readonly home: string,
    private readonly key?: SecretsKey,
    private readonly clock: () => number = Date.now,
  ) {
    this.file = path.join(home, SECRETS_FILE);
    this.lockFile = `${this.file}.lock`;
  }

  /** Every record, secrets left out. */
  list(): SecretSummary[] {
    return this.read().records.map(summary);
  }

  /** Which key seals the file, and every record without its secrets (what the server audits changes of). */
  snapshot(): { keyId: string | null; records: SecretSummary[] } {
    const doc = this.read();
    return { keyId: doc.keyId, records: doc.records.map(summary) };
  }

  get(name: string): SecretSummary | undefined {
    const r = this.read().records.find((x) => x.name === name);
    return r && summary(r);
  }

  /**
   * Create or replace the PostgreSQL connection `name`. The password is sealed under the key;
   * KEEP_PASSWORD keeps the record's current one, undefined stores none.
   */
  setPostgres(
    name: string,
    settings: PostgresSettings,
    password: string | undefined | typeof KEEP_PASSWORD,
  ): SecretSummary {
    const problem = secretNameProblem(name);
    if (problem) throw new SecretsError('BAD_SETTING', problem);
    const parsed = postgresSettingsSchema.safeParse(settings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SecretsError('BAD_SETTING', `${issue.path.join('.')}: ${issue.message}`);
    }
    const key = this.requireKey();
    let result: SecretSummary | undefined;
    this.mutate((doc) => {
      this.checkKeyOf(doc, key);
      const now = new Date(this.clock()).toISOString();
      const old = doc.records.find((r) => r.name === name);
      if (old && old.kind !== 'postgres')
        throw new SecretsError(
          'BAD_SETTING',
          `"${name}" is a secret value, not a connection; delete it first`,
        );
      const next: PostgresRecord = {
        name,
        kind: 'postgres',
        settings: parsed.data,
        secrets: {},
        createdAt: old?.createdAt ?? now,
        updatedAt: now,
      };
      const plain =
        password === KEEP_PASSWORD ? (old ? this.openField(old, 'password', key) : undefined) : password;
      if (plain !== undefined) next.secrets.password = seal(key, plain, aad(next, 'password'));
      doc.records = sortByName([...doc.records.filter((r) => r.name !== name), next]);
      doc.keyId = key.id;
      result = summary(next);
    });
    return result!;
  }

  /** Create or replace the secret value `name` (a server key: the OIDC client secret, say). */
  setValue(name: string, value: string): SecretSummary {
    const problem = secretNameProblem(name);
    if (problem) throw new SecretsError('BAD_SETTING', problem);
    if (value === '') throw new SecretsError('BAD_SETTING', 'the value is empty');
    const key = this.requireKey();
    let result: SecretSummary | undefined;
    this.mutate((doc) => {
      this.checkKeyOf(doc, key);
      const old = doc.records.find((r) => r.name === name);
      if (old && old.kind !== 'value')
        throw new SecretsError(
          'BAD_SETTING',
          `"${name}" is a connection, not a secret value; delete it first`,
        );
      const now = new Date(this.clock()).toISOString();
      const base = { name, kind: 'value' as const, settings: {} };
      const next = {
        ...base,
        secrets: { value: seal(key, value, aad(base, 'value')) },
        createdAt: old?.createdAt ?? now,
        updatedAt: now,
      };
      doc.records = sortByName([...doc.records.filter((r) => r.name !== name), next]);
      doc.keyId = key.id;
      result = summary(next);
    });
    return result!;
  }

  /** The secret value `name`, decrypted. */
  value(name: string): string {
    const key = this.requireKey();
    const doc = this.read();
    const r = doc.records.find((x) => x.name === name);
    if (!r || r.kind !== 'value')
      throw new SecretsError('NO_SUCH_SECRET', `there is no secret value named "${name.slice(0, 80)}"`);
    this.checkKeyOf(doc, key);
    return this.openField(r, 'value', key)!;
  }

  /** Removes the record; false when there was none. Needs no key. */
  delete(name: string): boolean {
    let found = false;
    this.mutate((doc) => {
      found = doc.records.some((r) => r.name === name);
      doc.records = doc.records.filter((r) => r.name !== name);
      if (doc.records.length === 0) doc.keyId = null;
    });
    return found;
  }

  /** The connection with its password decrypted, for the moment of connecting only. */
  postgres(name: string): PostgresCredentials {
    const key = this.requireKey();
    const doc = this.read();
    const r = doc.records.find((x) => x.name === name);
    if (!r || r.kind !== 'postgres')
      throw new SecretsError('NO_SUCH_SECRET', `there is no connection named "${name.slice(0, 80)}"`);
    this.checkKeyOf(doc, key);
    return { name, settings: structuredClone(r.settings), password: this.openField(r, 'password', key) };
  }

  /**
   * Re-encrypt every secret under `next` with fresh data keys (not merely re-wrapped: whoever
   * saw an old data key learns nothing of the new ciphertexts), in one atomic replace. After
   * it, the old key decrypts nothing here. Returns how many secrets were re-encrypted.
   */
  rotate(next: SecretsKey): number {
    const key = this.requireKey();
    if (next.id === key.id)
      throw new SecretsError(
        'BAD_KEY',
        `the new key (from ${next.source}) is the key in use; make a new one with 'tidyvault secrets new-key'`,
      );
    let count = 0;
    this.mutate((doc) => {
      this.checkKeyOf(doc, key);
      for (const r of doc.records) {
        if (r.kind === 'postgres') {
          const password = this.openField(r, 'password', key);
          if (password !== undefined) {
            r.secrets.password = seal(next, password, aad(r, 'password'));
            count++;
          }
        } else {
          r.secrets.value = seal(next, this.openField(r, 'value', key)!, aad(r, 'value'));
          count++;
        }
      }
      doc.keyId = doc.records.length > 0 ? next.id : null;
    });
    return count;
  }

  private openField(r: SecretRecord, field: 'password' | 'value', key: SecretsKey): string | undefined {
    const sealed: Sealed | undefined = (r.secrets as Partial<Record<'password' | 'value', Sealed>>)[field];
    return sealed === undefined ? undefined : open(key, sealed, aad(r, field), `the ${field} of ${r.name}`);
  }

  /** Throws WRONG_KEY unless the key given is the one the store's secrets are sealed with. */
  checkKey(): void {
    this.checkKeyOf(this.read(), this.requireKey());
  }

  private requireKey(): SecretsKey {
    if (!this.key)
      throw new SecretsError(
        'NO_KEY',
        "no secrets key: pass --secrets-key-file <file>, or set TIDYVAULT_SECRETS_KEY_FILE (a file) or TIDYVAULT_SECRETS_KEY (the key); make one with 'tidyvault secrets new-key'",
      );
    return this.key;
  }

  private checkKeyOf(doc: SecretsDocument, key: SecretsKey): void {
    if (doc.keyId !== null && doc.records.length > 0 && doc.keyId !== key.id)
      throw new SecretsError(
        'WRONG_KEY',
        `${this.file} is encrypted with another secrets key (id ${doc.keyId}) than the one given (id ${key.id}, from ${key.source}); give the key it was written with (after 'secrets rotate-key', the new one)`,
      );
  }

  private read(): SecretsDocument {
    const text = readPrivateFile(this.file);
    if (text === undefined) return { version: 1, keyId: null, records: [] };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SecretsError('STORE_FILE', `${this.file}: not valid JSON (${(e as Error).message})`);
    }
    const parsed = documentSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SecretsError(
        'STORE_FILE',
        `${this.file}: not a secrets file (${issue.path.join('.') || 'top level'}: ${issue.message})`,
      );
    }
    return parsed.data;
  }

  private mutate(change: (doc: SecretsDocument) => void): void {
    ensurePrivateFolder(this.home);
    withLock(this.lockFile, () => {
      const doc = this.read();
      change(doc);
      writePrivateFile(this.file, JSON.stringify(doc, null, 2) + '\n');
    });
  }
}
