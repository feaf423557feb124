import type { StoredStandard } from '../core/config';
import { type PeriodVersion, periodVersionKey } from '../core/data-version';
import { FreshRead } from '../core/fresh-read';
import { SizedLru } from '../core/sized-lru';
import {
  AggregatesRepository,
  type Contribution,
  type PeriodContributions,
} from './aggregates-repo';
import { documentClient } from './clients';

/**
 * The report API's read path with a warm-Lambda cache that is never stale.
 *
 * Per request: ONE strongly consistent read of the data versions (coalesced with the requests
 * waiting alongside it, see FreshRead), then the answer cached for (question, versions of the
 * periods asked), or else built from each period's contributions of the one standard asked —
 * cached per (standard, period, version) and read, when missing, by key (only that standard's
 * items of the current submissions). Aggregate replaces a period's version after every change
 * (see lambdas/core/data-version.ts), so a version names exactly one set of figures: nothing
 * here expires on a timer, and a replayed or superseding upload is seen by the very next
 * request. Periods with a change in progress are read afresh and cached nowhere.
 */

export interface ReportDataOptions {
  /** Estimated bytes of parsed contributions kept. @default 32 MiB */
  readonly maxContributionBytes?: number;
  /** Estimated bytes of built answers kept. @default 32 MiB */
  readonly maxAnswerBytes?: number;
  /** The clock change markers are aged by. @default Date.now */
  readonly now?: () => number;
}

/** What an answer is built from: one stored standard over some periods. */
export interface ReportQuestion {
  /**
   * Everything besides the figures that the answer depends on (route, parameters, the caller's
   * effective scope and disclosure): equal keys over equal figures must give equal answers.
   */
  readonly key: string;
  readonly periods: readonly string[];
  readonly standard: StoredStandard;
}

export interface BuiltAnswer<T> {
  readonly value: T;
  /** Estimated bytes the value holds (the cache's budget is in these). */
  readonly size: number;
}

interface CachedPeriod {
  readonly version: string;
  readonly contributions: readonly Contribution[];
}

const MiB = 1024 * 1024;

/** A parsed cell (five-slot array, three short strings) and a contribution's own fields. */
const CELL_BYTES = 160;
const CONTRIBUTION_BYTES = 400;

export class ReportData {
  private readonly versions: FreshRead<Map<string, PeriodVersion>>;
  private readonly periods: SizedLru<CachedPeriod>;
  private readonly answers: SizedLru<unknown>;
  /** Period reads in flight by standard|period|version, shared by requests that agree on it. */
  private readonly loading = new Map<string, Promise<PeriodContributions>>();
  private readonly now: () => number;

  constructor(
    private readonly repository: AggregatesRepository,
    options: ReportDataOptions = {},
  ) {
    this.versions = new FreshRead(() => repository.dataVersions());
    this.periods = new SizedLru(options.maxContributionBytes ?? 32 * MiB);
    this.answers = new SizedLru(options.maxAnswerBytes ?? 32 * MiB);
    this.now = options.now ?? Date.now;
  }

  /** Data-version reads started so far (each shared by the requests that waited for it). */
  get versionReads(): number {
    return this.versions.started;
  }

  /**
   * The answer to a question over the current figures: the cached one when the versions of the
   * periods asked are those it was built on, else built and kept. (Requests that miss at the same
   * moment may each build it; the period reads underneath are shared.)
   */
  async answer<T>(
    question: ReportQuestion,
    build: (contributions: readonly Contribution[]) => BuiltAnswer<T>,
  ): Promise<T> {
    const { periods, standard } = question;
    const versions = await this.versions.read();
    const now = this.now();
    const keys = periods.map((period) => periodVersionKey(versions.get(period), now));
    const cacheable = keys.every((key) => key !== null);
    const answerKey = cacheable
      ? `${question.key}\n${standard}\n${periods.map((p, i) => `${p}=${keys[i]}`).join(',')}`
      : null;
    if (answerKey !== null) {
      const hit = this.answers.get(answerKey);
      if (hit !== undefined) return hit as T;
    }
    const read = await this.contributions(periods, standard, keys);
    const built = build(read.contributions);
    if (answerKey !== null && read.complete) this.answers.set(answerKey, built.value, built.size);
    return built.value;
  }

  /** The contributions of the periods (in order), cached ones where their version matches. */
  private async contributions(
    periods: readonly string[],
    standard: StoredStandard,
    versions: readonly (string | null)[],
  ): Promise<{ contributions: Contribution[]; complete: boolean }> {
    const parts = new Array<Promise<PeriodContributions> | PeriodContributions>(periods.length);
    const toRead: { index: number; period: string; loadKey: string | null }[] = [];
    periods.forEach((period, index) => {
      const version = versions[index] ?? null;
      if (version !== null) {
        const cached = this.periods.get(`${standard}|${period}`);
        if (cached?.version === version) {
          parts[index] = { period, contributions: cached.contributions, complete: true };
          return;
        }
        const loadKey = `${standard}|${period}|${version}`;
        const loading = this.loading.get(loadKey);
        if (loading) {
          parts[index] = loading;
          return;
        }
        toRead.push({ index, period, loadKey });
      } else toRead.push({ index, period, loadKey: null });
    });

    if (toRead.length > 0) {
      // One read for every period missing: one Query per period and a single BatchGetItem.
      const batch = this.repository.currentContributionsOf(
        toRead.map((r) => r.period),
        standard,
      );
      toRead.forEach(({ index, period, loadKey }, i) => {
        const one = batch.then((all) => all[i] ?? { period, contributions: [], complete: true });
        parts[index] = one;
        if (loadKey === null) return;
        const version = versions[index] as string;
        this.loading.set(loadKey, one);
        one.then(
          (result) => {
            this.loading.delete(loadKey);
            if (result.complete) this.remember(standard, period, version, result.contributions);
          },
          () => this.loading.delete(loadKey),
        );
      });
    }

    const settled = await Promise.all(parts);
    return {
      contributions: settled.flatMap((part) => part.contributions),
      complete: settled.every((part) => part.complete),
    };
  }

  private remember(
    standard: StoredStandard,
    period: string,
    version: string,
    contributions: readonly Contribution[],
  ): void {
    const size = contributions.reduce(
      (sum, c) => sum + CONTRIBUTION_BYTES + c.cells.length * CELL_BYTES,
      0,
    );
    this.periods.set(`${standard}|${period}`, { version, contributions }, size);
  }
}

let shared: { client: unknown; table: string; dataset: string; data: ReportData } | undefined;

/**
 * The warm Lambda's one ReportData for a table. A new DynamoDB client (tests point the SDK at
 * another store between cases) starts a new, empty cache.
 */
export function reportData(table: string, dataset = 'cwt'): ReportData {
  const client = documentClient();
  if (shared?.client !== client || shared.table !== table || shared.dataset !== dataset) {
    shared = {
      client,
      table,
      dataset,
      data: new ReportData(new AggregatesRepository(table, dataset)),
    };
  }
  return shared.data;
}
