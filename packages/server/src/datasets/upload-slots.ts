import { ApiError } from '../errors.js';

/**
 * Uploads and imports being received or loaded: at most `perUser` for one user and `total` for
 * the server. A user who holds their share of slots (two slow uploads, say) blocks only themself.
 */
export class UploadSlots {
  private readonly byUser = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: { total: number; perUser: number }) {}

  /**
   * A slot for `user` (the function that gives it back), or a 429 naming the limit reached; the
   * reply is told to say Retry-After.
   */
  take(
    user: string,
    what: 'uploads' | 'imports',
    reply: { header(k: string, v: string): unknown },
  ): () => void {
    const mine = this.byUser.get(user) ?? 0;
    const refuse = (message: string): never => {
      reply.header('retry-after', '5');
      throw new ApiError(429, 'TOO_MANY_UPLOADS', message);
    };
    if (mine >= this.limits.perUser)
      refuse(
        `you have ${mine === 1 ? 'an upload or import' : `${mine} uploads or imports`} under way (at most ${this.limits.perUser} at once); try again when one ends`,
      );
    if (this.total >= this.limits.total) refuse(`too many ${what} at once on this server; try again shortly`);
    this.byUser.set(user, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byUser.get(user) ?? 1) - 1;
      if (left > 0) this.byUser.set(user, left);
      else this.byUser.delete(user);
    };
  }
}
