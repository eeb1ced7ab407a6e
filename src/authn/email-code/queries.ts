// Owns the sign_in_links table: the link mailed beside an email sign-in code, stored as a hash of its
// token, single-use, expiring with the code. Every function takes a knex (root or transaction).
import type { Db } from '../../db/create-db.ts';

export interface SignInLinkRow {
  token_hash: string;
  flow_id: string;
  interaction_uid: string;
  expires_at: Date;
}

export function createSignInLinkQueries(db: Db) {
  return {
    async insertLink(link: { tokenHash: string; flowId: string; interactionUid: string; ttlSeconds: number }, trx: Db = db): Promise<void> {
      await trx('sign_in_links').insert({
        token_hash: link.tokenHash,
        flow_id: link.flowId,
        interaction_uid: link.interactionUid,
        expires_at: new Date(Date.now() + link.ttlSeconds * 1000),
      });
    },
    /** The link with this token hash, if it is neither used nor expired. */
    async findLiveLink(tokenHash: string, trx: Db = db): Promise<SignInLinkRow | undefined> {
      return trx<SignInLinkRow>('sign_in_links').where({ token_hash: tokenHash }).whereNull('consumed_at')
        .andWhere('expires_at', '>', trx.fn.now()).first('token_hash', 'flow_id', 'interaction_uid', 'expires_at');
    },
    /** Uses a link once: false if it was used (or expired) meanwhile. */
    async consumeLink(tokenHash: string, trx: Db = db): Promise<boolean> {
      return (await trx('sign_in_links').where({ token_hash: tokenHash }).whereNull('consumed_at')
        .andWhere('expires_at', '>', trx.fn.now()).update({ consumed_at: trx.fn.now() })) === 1;
    },
    async consumeLinksOfFlow(flowId: string, trx: Db = db): Promise<void> {
      await trx('sign_in_links').where({ flow_id: flowId }).whereNull('consumed_at').update({ consumed_at: trx.fn.now() });
    },
  };
}

export type SignInLinkQueries = ReturnType<typeof createSignInLinkQueries>;
