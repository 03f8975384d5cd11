import { z } from 'zod';
import { PrivateJsonFile } from '../../private-files.js';

/**
 * Which local account each single-sign-on identity is: `$TIDYVAULT_HOME/oidc-identities.json`,
 * beside users.json and kept the same way (0600, atomic replace under a lock). An identity is the
 * pair (issuer, subject) — never an email address, which a provider may reassign or let users
 * change, and which a second provider may assert for someone else. The email last seen is kept
 * for the operator's information only and is never looked up.
 */

export const IDENTITIES_FILE = 'oidc-identities.json';

const identitySchema = z.strictObject({
  issuer: z.string(),
  subject: z.string(),
  /** The local account (users.json) this identity signs in as. */
  user: z.string(),
  email: z.string().optional(),
  linkedAt: z.string(),
  lastSignInAt: z.string(),
});
export type Identity = z.infer<typeof identitySchema>;

const documentSchema = z.strictObject({ version: z.literal(1), identities: z.array(identitySchema) });
type IdentitiesDocument = z.infer<typeof documentSchema>;

const same = (i: Identity, issuer: string, subject: string) => i.issuer === issuer && i.subject === subject;

export class OidcIdentities {
  private readonly store: PrivateJsonFile<IdentitiesDocument>;

  constructor(
    readonly home: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.store = new PrivateJsonFile(home, IDENTITIES_FILE, documentSchema, () => ({
      version: 1,
      identities: [],
    }));
  }

  get file(): string {
    return this.store.file;
  }

  list(): Identity[] {
    return this.store.read().identities.map((i) => ({ ...i }));
  }

  find(issuer: string, subject: string): Identity | undefined {
    const i = this.store.read().identities.find((x) => same(x, issuer, subject));
    return i && { ...i };
  }

  /** Accounts some identity signs in as. */
  linkedUsers(): Set<string> {
    return new Set(this.store.read().identities.map((i) => i.user));
  }

  /**
   * Links (issuer, subject) to `user` unless it is linked already (another sign-in of the same
   * identity won the race); returns the link in force.
   */
  link(issuer: string, subject: string, user: string, email: string | undefined): Identity {
    const now = new Date(this.clock()).toISOString();
    return this.store.mutate((doc) => {
      const existing = doc.identities.find((x) => same(x, issuer, subject));
      if (existing) return { ...existing };
      const identity: Identity = {
        issuer,
        subject,
        user,
        ...(email ? { email } : {}),
        linkedAt: now,
        lastSignInAt: now,
      };
      doc.identities.push(identity);
      return { ...identity };
    });
  }

  /** A sign-in: when, and the email the provider gives now (shown to operators, never matched). */
  signedIn(issuer: string, subject: string, email: string | undefined): void {
    const now = new Date(this.clock()).toISOString();
    this.store.mutate((doc) => {
      const i = doc.identities.find((x) => same(x, issuer, subject));
      if (!i) return;
      i.lastSignInAt = now;
      if (email) i.email = email;
      else delete i.email;
    });
  }
}
