import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/handlers/report-api';
import { serveAggregatesTable } from './aggregates-table-fake';
import { apiEvent, context, useHandlerEnv } from './helpers';

const dynamo = mockClient(DynamoDBDocumentClient);
const body = (result: { body: string }) => JSON.parse(result.body);

/** March 2026 as the Aggregates table holds it: RF4's current submission. */
const item = (standard: string, cells: unknown[]) => ({
  pk: 'cwt#2026-03',
  sk: `SUB#s1#${standard}`,
  period: '2026-03',
  standard,
  submissionId: 's1',
  submittingTrust: 'RF4',
  cells: JSON.stringify(cells),
});
const march = [
  { pk: 'cwt#2026-03', sk: 'CURRENT#RF4', trust: 'RF4', submissionId: 's1', orderKey: 'a' },
  item('62d', [
    ['all', 'RF4', 'all', 1.5, 2],
    ['all', 'R1H', 'all', 0.5, 1],
  ]),
  item('62d-treating', [['all', 'R1H', 'all', 2, 3]]),
  item('backlog', [
    ['all', 'RF4', '0-28|all', 0, 9],
    ['all', 'RF4', '>104|all', 0, 1],
    ['sex', 'RF4', '0-28|Female', 0, 9],
    ['sex', 'RF4', '>104|Male', 0, 1],
  ]),
];

const get = (resource: string, query: Record<string, string>, groups = 'alliance') =>
  handler(apiEvent(resource, { query, groups }), context);

describe('GET /backlog', () => {
  beforeEach(() => {
    useHandlerEnv();
    serveAggregatesTable(dynamo, () => march);
  });
  afterEach(() => dynamo.reset());

  it('gives band counts per trust and for the alliance at the period end', async () => {
    // Act
    const result = await get('/backlog', { period: '2026-03' });

    // Assess: RF4 9 in 0–28 and 1 over 104 days; the other bands 0; ALL the same.
    expect(result.statusCode).toBe(200);
    const payload = body(result);
    expect(payload).toMatchObject({ period: '2026-03', asAt: '2026-03-31', by: null });
    expect(
      payload.rows.map((r: { trust: string; band: string; count: number }) => [
        r.trust,
        r.band,
        r.count,
      ]),
    ).toEqual([
      ['RF4', '0-28', 9],
      ['RF4', '29-62', 0],
      ['RF4', '63-104', 0],
      ['RF4', '>104', 1],
      ['ALL', '0-28', 9],
      ['ALL', '29-62', 0],
      ['ALL', '63-104', 0],
      ['ALL', '>104', 1],
    ]);
  });

  it('scopes a trust user to their own trust and suppresses their breakdowns', async () => {
    // Act
    const own = await get('/backlog', { period: '2026-03', by: 'sex' }, 'trust-RF4');
    const other = await get('/backlog', { period: '2026-03', trust: 'RF4' }, 'trust-R1H');
    const full = await get('/backlog', { period: '2026-03', disclosure: 'full' }, 'trust-RF4');

    // Assess: 9 → 10 (nearest 5); 1 → suppressed.
    expect(own.statusCode).toBe(200);
    const rows = body(own).rows as Array<{ group: string; band: string; count: number | null }>;
    expect(rows.find((r) => r.group === 'Female' && r.band === '0-28')?.count).toBe(10);
    expect(rows.find((r) => r.group === 'Male' && r.band === '>104')).toMatchObject({
      count: null,
      suppressed: true,
    });
    expect(other.statusCode).toBe(403);
    expect(full.statusCode).toBe(403);
  });

  it('rejects a missing period, a bad period and the modality breakdown with 400', async () => {
    // Act
    const missing = await get('/backlog', {});
    const bad = await get('/backlog', { period: '2026-13' });
    const modality = await get('/backlog', { period: '2026-03', by: 'modality' });

    // Assess
    expect([missing.statusCode, bad.statusCode, modality.statusCode]).toEqual([400, 400, 400]);
    expect(body(modality).error.message).toMatch(/by/);
  });
});

describe('GET /performance with the new parameters', () => {
  beforeEach(() => {
    useHandlerEnv();
    serveAggregatesTable(dynamo, () => march);
  });
  afterEach(() => dynamo.reset());

  const q = (extra: Record<string, string>) => ({ from: '2026-03', to: '2026-03', ...extra });

  it('serves 62-day shared by default and treating on request', async () => {
    // Act
    const shared = body(await get('/performance', q({ standard: '62d' })));
    const treating = body(
      await get('/performance', q({ standard: '62d', allocation: 'treating' })),
    );

    // Assess: shared RF4 1.5/2 and R1H 0.5/1; treating R1H 2/3; ALL 2/3 under both.
    expect(shared.allocation).toBe('shared');
    expect(treating.allocation).toBe('treating');
    const all = (rows: Array<{ trust: string }>) => rows.find((r) => r.trust === 'ALL');
    expect(all(shared.rows)).toMatchObject({ within: 2, total: 3 });
    expect(all(treating.rows)).toMatchObject({ within: 2, total: 3 });
    expect(treating.rows.map((r: { trust: string }) => r.trust)).toEqual(['R1H', 'ALL']);
  });

  it('accepts 38d and 24d, and refuses allocation or modality where they do not apply', async () => {
    // Act
    const d38 = await get('/performance', q({ standard: '38d' }));
    const d24 = await get('/performance', q({ standard: '24d' }));
    const allocation = await get('/performance', q({ standard: 'fds', allocation: 'treating' }));
    const badAllocation = await get('/performance', q({ standard: '62d', allocation: 'half' }));
    const modality = await get('/performance', q({ standard: '62d', by: 'modality' }));
    const modality31 = await get('/performance', q({ standard: '31d', by: 'modality' }));

    // Assess
    expect([d38.statusCode, d24.statusCode, modality31.statusCode]).toEqual([200, 200, 200]);
    expect([allocation.statusCode, badAllocation.statusCode, modality.statusCode]).toEqual([
      400, 400, 400,
    ]);
    expect(body(allocation).error.message).toMatch(/allocation/);
    expect(body(modality).error.message).toMatch(/modality/);
  });
});
