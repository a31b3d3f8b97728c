import { CompiledQuery, type Kysely } from 'kysely';
import { PgBoss, type Db as IDatabase, type JobWithMetadata } from 'pg-boss';
import type { DB } from '../store/schema.ts';
import { JOB_RETRY_CAP_MS } from './backoff.ts';
import type { JobQueue, WorkOptions } from './queue.ts';

export interface PgBossQueueOptions {
  databaseUrl: string;
  /** The job kinds there will be; each is a pg-boss queue. */
  kinds: readonly string[];
  /** How long a running job may go unheard before it is handed to another worker (≥ 10 s). */
  leaseMs: number;
  /** First retry delay of a handler that threw; doubles per retry. */
  retryBaseMs: number;
  /** How often an idle worker polls; NOTIFY wakes it at once for new jobs in any process. */
  pollMs: number;
  /** Jobs this process will run at once (0 in an API process): sizes pg-boss's connection pool. */
  concurrency: number;
  /** The application's clock; `runAt` is read against it, whatever the database's clock says. */
  now: () => Date;
}

/** What rides along with the payload: runs of earlier jobs of the same work, for the attempt count. */
interface Envelope {
  payload: unknown;
  max_attempts: number;
  prior_attempts: number;
}

/**
 * A handler that asks to run again later (its own schedule) gets a new job; a run cut short by a
 * crash is one of pg-boss's retries. This many crash retries beyond the handler's own attempts,
 * so a job whose last attempt was killed still runs once more and can end its work properly.
 */
const CRASH_RETRIES = 3;

/** Lets pg-boss write inside a Kysely transaction, so a job is queued iff the caller's change commits. */
function inTransaction(trx: Kysely<DB>): IDatabase {
  return {
    async executeSql(text, values = []) {
      return { rows: (await trx.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[] };
    },
  };
}

/**
 * Jobs on pg-boss for PostgreSQL deployments: any number of API and worker processes share the
 * queue; new jobs NOTIFY idle workers in every process, running jobs heartbeat, and a job whose
 * worker died is retried once its heartbeat lapses (docs/decisions/008-jobs-on-pg-boss.md).
 */
export function createPgBossQueue(options: PgBossQueueOptions): JobQueue {
  const heartbeatSeconds = Math.max(10, Math.round(options.leaseMs / 1000));
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    application_name: 'openlean-jobs',
    // Fetches, heartbeats and completions are short statements; a few connections serve many slots.
    max: Math.min(10, 2 + options.concurrency),
    useListenNotify: true,
    schedule: false,
    // Lapsed heartbeats are found by the supervisor's monitor pass: run it often enough that a
    // dead worker's job moves on within about one and a half heartbeats.
    superviseIntervalSeconds: Math.max(1, Math.round(heartbeatSeconds / 2)),
    monitorIntervalSeconds: Math.max(1, Math.round(heartbeatSeconds / 2)),
    persistWarnings: false,
  });
  // pg-boss reports background trouble (a lost listener, a failed maintenance pass, a slow query)
  // as events and recovers by itself; the worker's logger hears them once work starts.
  let log: WorkOptions['log'] | null = null;
  boss.on('error', (err) => log?.error({ err }, 'job queue error'));
  boss.on('warning', (warning) => log?.warn({ warning }, 'job queue warning'));

  let started: Promise<void> | null = null;
  const start = () =>
    (started ??= (async () => {
      await boss.start();
      for (const kind of options.kinds) {
        await boss.createQueue(kind, {
          notify: true,
          heartbeatSeconds,
          // A refresh or delivery that is still heart-beating may take its time.
          expireInSeconds: 6 * 3600,
          retryDelay: Math.max(1, Math.round(options.retryBaseMs / 1000)),
          retryBackoff: true,
          retryDelayMax: JOB_RETRY_CAP_MS / 1000,
          // Refreshes and deliveries keep their own history; a finished job is only worth a day's debugging.
          deleteAfterSeconds: 86_400,
        });
      }
    })());

  /** pg-boss's `startAfter` as seconds from now, so a job is due when the application's clock says. */
  const delay = (runAt: Date) => Math.max(0, (runAt.getTime() - options.now().getTime()) / 1000);

  let stopping = new AbortController();
  const running = new Set<Promise<unknown>>();
  let working = false;

  async function handle(kind: string, job: JobWithMetadata<Envelope>, work: WorkOptions): Promise<void> {
    const handler = work.handlers[kind];
    if (!handler) throw new Error(`no handler for job kind ${kind}`);
    const { payload, max_attempts, prior_attempts } = job.data;
    const number = prior_attempts + job.retryCount + 1;
    try {
      const outcome = await handler(payload, { number, max: max_attempts, signal: AbortSignal.any([job.signal, stopping.signal]) });
      if ('retryAt' in outcome) await runAgain(kind, job, outcome.retryAt, outcome.uncounted ? number - 1 : number);
    } catch (err) {
      const last = job.retryCount >= job.retryLimit;
      if (last) work.log.error({ err, job_id: job.id, kind }, 'job failed on its last attempt; dropped');
      else work.log.warn({ err, job_id: job.id, kind, attempt: number }, 'job failed; will retry');
      throw err;
    }
  }

  /** Queues the next run and ends this one in one transaction: the work is neither lost nor doubled. */
  async function runAgain(kind: string, job: JobWithMetadata<Envelope>, runAt: Date, attempts: number): Promise<void> {
    const envelope: Envelope = { ...job.data, prior_attempts: attempts };
    const tx = await boss.getDb().beginTransaction!();
    try {
      await boss.send(kind, envelope, { db: tx.db, startAfter: delay(runAt), retryLimit: Math.max(0, job.data.max_attempts - attempts - 1) + CRASH_RETRIES });
      await boss.complete(kind, { id: job.id, retryCount: job.retryCount }, null, { db: tx.db });
      await tx.commit();
    } catch (err) {
      await tx.rollback();
      throw err;
    }
  }

  return {
    async enqueue(trx, job) {
      await start();
      const envelope: Envelope = { payload: job.payload, max_attempts: job.maxAttempts, prior_attempts: 0 };
      await boss.send(job.kind, envelope, { db: inTransaction(trx), startAfter: delay(job.runAt), retryLimit: job.maxAttempts - 1 + CRASH_RETRIES });
    },
    async install() {
      await start();
    },
    async work(work) {
      if (working || work.concurrency === 0) return;
      working = true;
      stopping = new AbortController();
      log = work.log;
      await start();
      for (const kind of Object.keys(work.handlers)) {
        await boss.work(
          kind,
          {
            batchSize: 1,
            localConcurrency: work.concurrency,
            includeMetadata: true,
            pollingIntervalSeconds: Math.max(0.5, options.pollMs / 1000),
            // NOTIFY announces new jobs, not delayed ones coming due (retries): keep polling as often.
            notifyPollingIntervalSeconds: Math.max(0.5, options.pollMs / 1000),
          },
          async ([job]: JobWithMetadata<Envelope>[]) => {
            const run = handle(kind, job!, work);
            running.add(run);
            try {
              await run;
            } finally {
              running.delete(run);
            }
          },
        );
      }
    },
    wake() {},
    async stopWorking() {
      if (!working) return;
      stopping.abort(new Error('worker stopping'));
      for (const kind of options.kinds) await boss.offWork(kind, { wait: false });
      await Promise.allSettled([...running]);
      working = false;
    },
    async close() {
      await this.stopWorking();
      if (!started) return;
      await started.catch(() => {});
      await boss.stop({ graceful: true, timeout: 5_000, close: true });
    },
  };
}
