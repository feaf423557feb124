import type { OutcomeStandard } from './config';
import type { EnrichedRecord } from './enriched';
import { PlatformError } from './errors';
import type { Allocation, Route, StandardOutcome } from './outcomes';

/**
 * The staged form of an enriched record, one per line between the Enrich and Summarise steps: a
 * JSON array in a fixed field order instead of an object, so the property names (about half of
 * an object line's bytes) are neither written nor parsed for every record. Still JSON, so the
 * runtime's native stringify and parse do the work. The first element is the format version;
 * a reader refuses any other version rather than misreading fields.
 *
 * Line: [version, row, pathwayId, route, suspectedCancerType, treatedCancerType, ageBand, sex,
 * ethnicGroup, imdEdition, imdDecile, imdQuintile, core20, lsoa21, localAuthority, place,
 * modalityGroup, outcomes, openPathway], where an outcome is [standard, month, clockStart,
 * clockStop, waitDays, within (0/1), [trust, within, total, …], stage] and openPathway is null or
 * [trust, clockStart, adjustmentDays]. Absent optional fields are null (undefined once read).
 */
export const ENRICHED_LINE_VERSION = 2;
const FIELDS = 19;
const OUTCOME_FIELDS = 8;

/** A staged line is not in the format this build reads: a deployment or wiring fault. */
export class StagingFormatError extends PlatformError {
  constructor(message: string) {
    super('STAGING_FORMAT', message, 500);
    this.name = 'StagingFormatError';
  }
}

type OutcomeLine = [
  standard: OutcomeStandard,
  month: string,
  clockStart: number,
  clockStop: number,
  waitDays: number,
  within: 0 | 1,
  allocations: (string | number)[],
  stage: 'first' | 'subsequent' | null,
];

/** One enriched record as its staged line (without the newline). */
export function encodeEnrichedLine(record: EnrichedRecord): string {
  const outcomes: OutcomeLine[] = [];
  for (const outcome of record.outcomes) {
    const allocations: (string | number)[] = [];
    for (const { trust, within, total } of outcome.allocations) {
      allocations.push(trust, within, total);
    }
    outcomes.push([
      outcome.standard,
      outcome.month,
      outcome.clockStart,
      outcome.clockStop,
      outcome.waitDays,
      outcome.within ? 1 : 0,
      allocations,
      outcome.stage ?? null,
    ]);
  }
  const open = record.openPathway;
  return JSON.stringify([
    ENRICHED_LINE_VERSION,
    record.row,
    record.pathwayId,
    record.route,
    record.suspectedCancerType,
    record.treatedCancerType,
    record.ageBand,
    record.sex,
    record.ethnicGroup,
    record.imdEdition,
    record.imdDecile,
    record.imdQuintile,
    record.core20,
    record.lsoa21,
    record.localAuthority,
    record.place,
    record.modalityGroup ?? null,
    outcomes,
    open ? [open.trust, open.clockStart, open.adjustmentDays] : null,
  ]);
}

/** The enriched record of a staged line; throws StagingFormatError for any other shape. */
export function decodeEnrichedLine(line: string): EnrichedRecord {
  const fields: unknown = JSON.parse(line);
  if (!Array.isArray(fields) || fields[0] !== ENRICHED_LINE_VERSION || fields.length !== FIELDS) {
    throw new StagingFormatError(
      `A staged enriched record is not version ${ENRICHED_LINE_VERSION} of the line format.`,
    );
  }
  const outcomeLines: unknown = fields[17];
  if (!Array.isArray(outcomeLines)) {
    throw new StagingFormatError('A staged enriched record has no outcome list.');
  }
  const outcomes: StandardOutcome[] = [];
  for (const line of outcomeLines as unknown[]) {
    if (!Array.isArray(line) || line.length !== OUTCOME_FIELDS || !Array.isArray(line[6])) {
      throw new StagingFormatError('A staged outcome is not in the line format.');
    }
    const [standard, month, clockStart, clockStop, waitDays, within, flat, stage] =
      line as OutcomeLine;
    if (!Array.isArray(flat) || flat.length % 3 !== 0) {
      throw new StagingFormatError('A staged outcome has an incomplete allocation list.');
    }
    const allocations: Allocation[] = [];
    for (let i = 0; i < flat.length; i += 3) {
      const [trust, within, total] = [flat[i], flat[i + 1], flat[i + 2]];
      if (typeof trust !== 'string' || !Number.isFinite(within) || !Number.isFinite(total)) {
        throw new StagingFormatError('A staged allocation is not (trust, within, total).');
      }
      allocations.push({ trust, within: within as number, total: total as number });
    }
    outcomes.push({
      standard,
      month,
      clockStart,
      clockStop,
      waitDays,
      within: within === 1,
      allocations,
      stage: stage ?? undefined,
    });
  }
  const open = fields[18] as [string, number, number] | null;
  const modalityGroup = fields[16] as string | null;
  return {
    row: fields[1] as number,
    pathwayId: fields[2] as string,
    route: fields[3] as Route,
    suspectedCancerType: fields[4] as string,
    treatedCancerType: fields[5] as string,
    ageBand: fields[6] as string,
    sex: fields[7] as string,
    ethnicGroup: fields[8] as string,
    imdEdition: fields[9] as EnrichedRecord['imdEdition'],
    imdDecile: fields[10] as number | null,
    imdQuintile: fields[11] as number | null,
    core20: fields[12] as boolean | null,
    lsoa21: fields[13] as string | null,
    localAuthority: fields[14] as string | null,
    place: fields[15] as string,
    outcomes,
    modalityGroup: modalityGroup ?? undefined,
    openPathway: open ? { trust: open[0], clockStart: open[1], adjustmentDays: open[2] } : null,
  };
}
