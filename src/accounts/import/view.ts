// Owns how an import job is shown outside (the admin API, `foyer users import --json`): snake_case, ISO times.
import type { ImportJob } from './queries.ts';

export function importJobJson(job: ImportJob) {
  return {
    id: job.id, status: job.status, format: job.format, actor: job.actor, rows: job.rowsRead, created: job.created, updated: job.updated,
    unchanged: job.unchanged, rejected: job.rejected, bytes_read: job.bytesRead, bytes_total: job.bytesTotal, error: job.error,
    created_at: job.createdAt.toISOString(), updated_at: job.updatedAt.toISOString(), finished_at: job.finishedAt?.toISOString() ?? null,
  };
}
