import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AggregatesRepository, type Contribution } from '../../../lambdas/adapters/aggregates-repo';
import { resetClients } from '../../../lambdas/adapters/clients';
import { ReportData } from '../../../lambdas/adapters/report-data';
import { serveAggregatesTable } from '../handlers/aggregates-table-fake';

const dynamo = mockClient(DynamoDBDocumentClient);
type Item = Record<string, unknown>;

const pointer = (period: string, trust: string, submissionId: string): Item => ({
  pk: `cwt#${period}`,
  sk: `CURRENT#${trust}`,
  trust,
  submissionId,
  orderKey: 'a',
});
const contribution = (
  period: string,
  submissionId: string,
  trust: string,
  within: number,
  total: number,
  standard = 'fds',
): Item => ({
  pk: `cwt#${period}`,
  sk: `SUB#${submissionId}#${standard}`,
  period,
  standard,
  submissionId,
  submittingTrust: trust,
  cells: JSON.stringify([['all', trust, 'all', within, total]]),
});
const versions = (attributes: Record<string, unknown>): Item => ({
  pk: 'cwt#VERSIONS',
  sk: 'VERSIONS',
  ...attributes,
});

/** The figure an answer is built from: within/total summed over every contribution. */
const sum = (contributions: readonly Contribution[]) => {
  const [within, total] = contributions
    .flatMap((c) => c.cells)
    .reduce(([w, t], cell) => [w + cell[3], t + cell[4]], [0, 0]);
  return { value: `${within}/${total}`, size: 10 };
};
const fds = (periods: string[], key = 'q') => ({ key, periods, standard: 'fds' as const });
const reads = () => ({
  versions: dynamo.commandCalls(GetCommand).length,
  queries: dynamo.commandCalls(QueryCommand).length,
  batches: dynamo.commandCalls(BatchGetCommand).length,
});

describe('ReportData', () => {
  let table: Item[];
  let data: ReportData;

  beforeEach(() => {
    resetClients();
    // June 2025: RF4's current submission s1 has FDS 3 of 4; an older s0 (100/100) is superseded
    table = [
      versions({ 'token#2025-06': 'v1' }),
      pointer('2025-06', 'RF4', 's1'),
      contribution('2025-06', 's1', 'RF4', 3, 4),
      contribution('2025-06', 's0', 'RF4', 100, 100),
      contribution('2025-06', 's1', 'RF4', 7, 9, '31d'),
    ];
    serveAggregatesTable(dynamo, () => table);
    data = new ReportData(new AggregatesRepository('Aggregates'));
  });
  afterEach(() => dynamo.reset());

  it('reads only the current submission’s items of the standard asked, by key', async () => {
    // Act
    const answer = await data.answer(fds(['2025-06']), sum);

    // Assess: s1's FDS only (3/4): not s0's, not s1's 31-day item
    expect(answer).toBe('3/4');
    const keys = dynamo.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.Aggregates;
    expect(keys?.Keys).toEqual([{ pk: 'cwt#2025-06', sk: 'SUB#s1#fds' }]);
    expect(keys?.ConsistentRead).toBe(true);
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('answers from the cache while the version stays, reading only the versions', async () => {
    // Prepare
    await data.answer(fds(['2025-06']), sum);
    const before = reads();
    // a write the cache must NOT see yet: it has no new version, so it is not a finished change
    table = table.map((item) =>
      item.sk === 'SUB#s1#fds' ? contribution('2025-06', 's1', 'RF4', 0, 4) : item,
    );

    // Act
    const again = await data.answer(fds(['2025-06']), sum);

    // Assess: one more versions read, nothing else read, the same answer
    expect(again).toBe('3/4');
    expect(reads()).toEqual({ ...before, versions: before.versions + 1 });
  });

  it('serves a superseding upload’s figures on the very next request after its new version', async () => {
    // Prepare: cached 3/4
    expect(await data.answer(fds(['2025-06']), sum)).toBe('3/4');

    // Act: s2 supersedes s1 as Aggregate leaves it: items, pointer, s1 deleted, new token
    table = [
      versions({ 'token#2025-06': 'v2' }),
      pointer('2025-06', 'RF4', 's2'),
      contribution('2025-06', 's2', 'RF4', 4, 4),
    ];
    const after = await data.answer(fds(['2025-06']), sum);

    // Assess
    expect(after).toBe('4/4');
  });

  it('sees a replay that rewrote a submission’s contribution under the same id', async () => {
    // Prepare
    expect(await data.answer(fds(['2025-06']), sum)).toBe('3/4');

    // Act: replay under new rules: s1 stays current, its cells change, the version changes
    table = table.map((item) =>
      item.sk === 'SUB#s1#fds'
        ? contribution('2025-06', 's1', 'RF4', 2, 4)
        : item.sk === 'VERSIONS'
          ? versions({ 'token#2025-06': 'v2' })
          : item,
    );

    // Assess
    expect(await data.answer(fds(['2025-06']), sum)).toBe('2/4');
  });

  it('reads a period with a change in progress afresh every time and caches nothing of it', async () => {
    // Prepare: Aggregate for s2 has begun (marker just now) and written its pointer
    table = [
      versions({ 'token#2025-06': 'v1', 'change#2025-06#s2': Date.now() }),
      pointer('2025-06', 'RF4', 's2'),
      contribution('2025-06', 's2', 'RF4', 1, 2),
    ];

    // Act
    const first = await data.answer(fds(['2025-06']), sum);
    table = table.map((item) =>
      item.sk === 'SUB#s2#fds' ? contribution('2025-06', 's2', 'RF4', 2, 2) : item,
    );
    const second = await data.answer(fds(['2025-06']), sum);

    // Assess: two full reads, each seeing the table as it was
    expect([first, second]).toEqual(['1/2', '2/2']);
    expect(reads()).toEqual({ versions: 2, queries: 2, batches: 2 });
  });

  it('caches nothing from a read that a racing claim made inconsistent', async () => {
    // Prepare: the pointer names s2, whose items are gone (a claim and its clean-up raced us)
    table = [versions({ 'token#2025-06': 'v1' }), pointer('2025-06', 'RF4', 's2')];

    // Act: the read retries twice, gives what there is (nothing), and the next request reads again
    expect(await data.answer(fds(['2025-06']), sum)).toBe('0/0');
    table.push(contribution('2025-06', 's2', 'RF4', 5, 6));
    const next = await data.answer(fds(['2025-06']), sum);

    // Assess: 3 attempts, then a fresh read for the next request
    expect(next).toBe('5/6');
    expect(reads().queries).toBe(4);
  });

  it('shares one versions read among the requests waiting for it, and re-reads for latecomers', async () => {
    // Prepare: 3/4 cached under v1; from now on the versions read answers when the test says
    expect(await data.answer(fds(['2025-06']), sum)).toBe('3/4');
    const answered: Array<() => void> = [];
    dynamo.on(GetCommand).callsFake(
      (input: GetCommandInput) =>
        new Promise((resolve) => {
          const item = table.find((i) => i.pk === input.Key?.pk && i.sk === input.Key?.sk);
          answered.push(() => resolve({ Item: item }));
        }),
    );

    // Act: A starts a read of v1; the upload finishes (v2) while it is in flight; B and C ask
    const a = data.answer(fds(['2025-06']), sum);
    await Promise.resolve();
    table = [
      versions({ 'token#2025-06': 'v2' }),
      pointer('2025-06', 'RF4', 's2'),
      contribution('2025-06', 's2', 'RF4', 4, 4),
    ];
    const b = data.answer(fds(['2025-06']), sum);
    const c = data.answer(fds(['2025-06']), sum);
    answered[0]?.();
    await a;
    await new Promise((r) => setTimeout(r, 0));
    answered[1]?.();

    // Assess: A's read began before the upload ended, so A gets the cached 3/4 (v1); B and C
    // asked after it ended, so they must get 4/4 (joining A's read would give them 3/4) — from
    // ONE second versions read between them (3 in all with the priming one).
    expect(await a).toBe('3/4');
    expect(await b).toBe('4/4');
    expect(await c).toBe('4/4');
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(3);
  });

  it('shares the period reads of concurrent questions over the same standard and periods', async () => {
    // Act: two different questions (keys) at once
    const [one, two] = await Promise.all([
      data.answer(fds(['2025-06'], 'one'), sum),
      data.answer(fds(['2025-06'], 'two'), sum),
    ]);

    // Assess: both 3/4 from a single pointer query and a single BatchGetItem
    expect([one, two]).toEqual(['3/4', '3/4']);
    expect(reads()).toMatchObject({ queries: 1, batches: 1 });
  });

  it('evicts the least recently used period when over its memory budget', async () => {
    // Prepare: July too; each period's one-cell contribution weighs 400 + 160 = 560 estimated
    // bytes, so a 1,000-byte budget holds one period; answers are not cached (budget 1)
    table.push(
      pointer('2025-07', 'RF4', 's7'),
      contribution('2025-07', 's7', 'RF4', 1, 1),
      versions({ 'token#2025-06': 'v1', 'token#2025-07': 'w1' }),
    );
    table.splice(0, 1);
    data = new ReportData(new AggregatesRepository('Aggregates'), {
      maxContributionBytes: 1000,
      maxAnswerBytes: 1,
    });

    // Act: June, July (evicts June), June again
    await data.answer(fds(['2025-06']), sum);
    await data.answer(fds(['2025-07']), sum);
    await data.answer(fds(['2025-06']), sum);
    const afterEviction = reads().batches;
    await data.answer(fds(['2025-06']), sum);

    // Assess: June read twice (evicted once), then served from the cache
    expect(afterEviction).toBe(3);
    expect(reads().batches).toBe(3);
  });
});
