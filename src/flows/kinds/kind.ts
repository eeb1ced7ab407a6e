// Owns what a flow kind declares: its name, its states, the zod schema of its context (checked whenever a
// row is read, so a row that does not fit is treated as absent), and its default lifetime.
import type { z } from 'zod';

export interface FlowKind<N extends string = string, S extends string = string, C extends object = object> {
  readonly name: N;
  readonly states: readonly S[];
  readonly context: z.ZodType<C>;
  /** Default lifetime; a caller with a configured lifetime (a mailed code's) passes its own. */
  readonly ttlSeconds: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest kind, for generic bounds
export type AnyFlowKind = FlowKind<string, string, any>;
export type StateOf<K extends AnyFlowKind> = K['states'][number];
export type ContextOf<K extends AnyFlowKind> = z.output<K['context']>;

export function defineFlowKind<const N extends string, const S extends string, C extends object>(kind: {
  name: N; states: readonly S[]; context: z.ZodType<C>; ttlSeconds: number;
}): FlowKind<N, S, C> {
  return kind;
}

/** A flow as the store hands it out: its context already checked against its kind's schema. */
export interface Flow<K extends AnyFlowKind> {
  id: string;
  kind: K['name'];
  state: StateOf<K>;
  interaction_uid: string | null;
  account_id: string | null;
  context: ContextOf<K>;
  expires_at: Date;
  version: number;
}
