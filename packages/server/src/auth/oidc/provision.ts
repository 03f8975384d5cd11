import { randomBytes } from 'node:crypto';
import { type Account, type Accounts, AccountsError, type Role, usernameProblem } from '../accounts.js';
import type { OidcIdentities } from './identities.js';
import { SignInFailure, type VerifiedIdentity } from './relying-party.js';

/**
 * From a verified identity to the local account it signs in as.
 *
 * - Known (issuer, subject): its linked account, whatever email the provider now gives (the
 *   email may change; the account does not). A disabled account is refused; so is a link whose
 *   account was removed (it is not silently made again).
 * - New (issuer, subject): a new account, always. Its name comes from `preferred_username`, else
 *   the email's local part, else the display name, made to fit the username rules; when that name
 *   is taken — by a local account, or another provider's user with the same email — a suffix is
 *   added (`alice-2`). An existing account is never taken over because a name or an email
 *   matches (SECURITY-CONTROLS control 6: no linking by email).
 *
 * New accounts are members, or administrators when their subject is in `adminSubjects`. They have
 * a random password nobody knows (accounts.ts requires a hash; there is no password sign-in in
 * oidc mode, and `tidyvault users reset-password` can give one later).
 */

const MAX_SUFFIX_TRIES = 50;

/** A username from a claim, or undefined when nothing usable is left. */
export function usernameFrom(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const local = raw.includes('@') ? raw.slice(0, raw.indexOf('@')) : raw;
  const name = local
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 56)
    .replace(/[^a-z0-9]+$/, '');
  return name !== '' && usernameProblem(name) === undefined ? name : undefined;
}

export function baseUsername(id: VerifiedIdentity): string {
  return usernameFrom(id.preferredUsername) ?? usernameFrom(id.email) ?? usernameFrom(id.name) ?? 'user';
}

export interface SignedInAccount {
  account: Account;
  /** The account was made by this sign-in. */
  created: boolean;
}

export class Provisioner {
  /** One first sign-in per identity at a time in this process. */
  private readonly inFlight = new Map<string, Promise<SignedInAccount>>();

  constructor(
    private readonly o: {
      accounts: Accounts;
      identities: OidcIdentities;
      adminSubjects: ReadonlySet<string>;
    },
  ) {}

  async signIn(id: VerifiedIdentity): Promise<SignedInAccount> {
    const key = JSON.stringify([id.issuer, id.subject]);
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.resolve(id).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async resolve(id: VerifiedIdentity): Promise<SignedInAccount> {
    const linked = this.o.identities.find(id.issuer, id.subject);
    if (linked) return { account: this.existing(linked.user, id), created: false };
    const role: Role = this.o.adminSubjects.has(id.subject) ? 'admin' : 'member';
    const account = await this.create(baseUsername(id), role);
    const link = this.o.identities.link(id.issuer, id.subject, account.name, id.email);
    if (link.user !== account.name) {
      // Another process linked this identity meanwhile: use its account, retire ours.
      this.o.accounts.disable(account.name);
      return { account: this.existing(link.user, id), created: false };
    }
    return { account, created: true };
  }

  private existing(user: string, id: VerifiedIdentity): Account {
    const account = this.o.accounts.get(user);
    if (!account) throw new SignInFailure('account_missing', 'the account of this identity no longer exists');
    if (account.disabled) throw new SignInFailure('account_disabled', 'this account is disabled');
    this.o.identities.signedIn(id.issuer, id.subject, id.email);
    return account;
  }

  private async create(base: string, role: Role): Promise<Account> {
    const taken = new Set([...this.o.accounts.list().map((a) => a.name), ...this.o.identities.linkedUsers()]);
    for (let n = 1; n <= MAX_SUFFIX_TRIES; n++) {
      const name = n === 1 ? base : `${base.slice(0, 56)}-${n}`;
      if (taken.has(name)) continue;
      try {
        return await this.o.accounts.add(name, randomBytes(32).toString('base64url'), role);
      } catch (e) {
        // Someone (the CLI, another server) took the name meanwhile: try the next one.
        if (e instanceof AccountsError && e.code === 'USER_EXISTS') {
          taken.add(name);
          continue;
        }
        throw e;
      }
    }
    return this.o.accounts.add(
      `${base.slice(0, 48)}-${randomBytes(4).toString('hex')}`,
      randomBytes(32).toString('base64url'),
      role,
    );
  }
}
