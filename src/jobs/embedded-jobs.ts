import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, JobRow } from '../store/schema.ts';
import type { NewJob } from './queue.ts';

/**
 * The embedded durable queue: jobs are rows, a worker leases one by stamping it with its id and a
 * lease expiry, extends the lease while it works (heartbeat), and deletes the row when done. A
 * worker that dies simply stops heart-beating; the job becomes claimable again when the lease
 * passes, so every job runs at least once. `attempts` counts claims, crashes included.
 */
export async function enqueueJob(db: Kysely<DB>, job: NewJob): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('jobs')
    .values({
      id,
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      run_at: job.runAt.toISOString(),
      max_attempts: job.maxAttempts,
      created_at: new Date().toISOString(),
    })
    .execute();
  return id;
}

/** Leases the job that has waited longest among those due and not leased; undefined when none is. */
export async function claimJob(db: Kysely<DB>, workerId: string, now: Date, leaseMs: number): Promise<JobRow | undefined> {
  const at = now.toISOString();
  // One statement, so two workers cannot lease the same row: the SQLite writer lock serialises them.
  // (PostgreSQL deployments run jobs on pg-boss, not on this table.)
  const row = await db
    .updateTable('jobs')
    .set((eb) => ({ locked_by: workerId, locked_until: new Date(now.getTime() + leaseMs).toISOString(), attempts: eb('attempts', '+', 1) }))
    .where('id', '=', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('run_at', '<=', at)
        .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<', at)]))
        .orderBy('run_at')
        .orderBy('id')
        .limit(1),
    )
    .returningAll()
    .executeTakeFirst();
  // The one place a job's payload is parsed; enqueueJob wrote it as JSON.
  return row === undefined ? undefined : { ...row, payload: JSON.parse(row.payload) as unknown };
}

/** Extends the lease; false when the worker no longer holds it (another took the job over). */
export async function extendLease(db: Kysely<DB>, jobId: string, workerId: string, until: Date): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ locked_until: until.toISOString() })
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Done (or given up): the job leaves the queue. Only its current holder may remove it. */
export async function finishJob(db: Kysely<DB>, jobId: string, workerId: string): Promise<void> {
  await db.deleteFrom('jobs').where('id', '=', jobId).where('locked_by', '=', workerId).execute();
}

/** Releases the job to run again at `runAt`, remembering why; an `uncounted` run gives its attempt back. */
export async function retryJob(db: Kysely<DB>, jobId: string, workerId: string, runAt: Date, error: string, uncounted = false): Promise<void> {
  await db
    .updateTable('jobs')
    .set((eb) => ({
      run_at: runAt.toISOString(),
      locked_by: null,
      locked_until: null,
      last_error: error.slice(0, 2000),
      ...(uncounted ? { attempts: eb('attempts', '-', 1) } : {}),
    }))
    .where('id', '=', jobId)
    .where('locked_by', '=', workerId)
    .execute();
}
