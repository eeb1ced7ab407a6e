// Owns assembling the privacy rights (export, erasure, restriction) over their queries, so composition
// wires one object; `events` is the outbox that marks restricted accounts' events, for every emitter.
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import { createErasure, type ErasureDeps, type SessionPort } from './erasure.ts';
import type { FlowEraser } from './purge.ts';
import { createDataExport } from './export.ts';
import { createPrivacyQueries } from './queries.ts';
import { createRestriction, withRestrictionMark } from './restriction.ts';
import { createSchemaQueries } from './schema.ts';

export function createPrivacy(deps: { db: Db; protocol: SessionPort; graceDays: number; outbox: EventOutbox; flows: FlowEraser; notice?: ErasureDeps['notice'] }) {
  const queries = createPrivacyQueries(deps.db);
  const schema = createSchemaQueries(deps.db);
  const events = withRestrictionMark(deps.outbox, queries);
  return {
    events,
    queries,
    schema,
    erasure: createErasure({ db: deps.db, queries, schema, events, flows: deps.flows, protocol: deps.protocol, graceDays: deps.graceDays, ...(deps.notice ? { notice: deps.notice } : {}) }),
    export: createDataExport({ db: deps.db, queries, schema }),
    restriction: createRestriction({ db: deps.db, queries, events }),
  };
}

export type Privacy = ReturnType<typeof createPrivacy>;
