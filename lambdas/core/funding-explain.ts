import type { AllianceConfig } from './config';
import { IMD_QUINTILES } from './funding-config';
import type { AllocationDocument } from './funding-document';

/**
 * The plain-English account of an allocation: one paragraph per step of the method, then one
 * line per unit that adds its pounds up from the formula's terms.
 */

const STANDARD_NAMES: Readonly<Record<string, string>> = {
  fds: 'the 28-day Faster Diagnosis Standard',
  '31d': 'the 31-day standard',
  '62d': 'the 62-day standard',
};

const standardName = (standard: string) => STANDARD_NAMES[standard] ?? standard;
const pence = (value: number) =>
  `£${value.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pounds = (value: number) =>
  `£${Math.round(value).toLocaleString('en-GB', { maximumFractionDigits: 0 })}`;
const percent = (fraction: number, digits = 1) =>
  `${(fraction * 100).toLocaleString('en-GB', { maximumFractionDigits: digits })}%`;
const number = (value: number, digits = 1) =>
  value.toLocaleString('en-GB', { maximumFractionDigits: digits });

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function explainAllocation(
  document: Omit<AllocationDocument, 'explanation'>,
  config: AllianceConfig,
): string[] {
  const { parameters: p, units, totals } = document;
  const noun = p.unit === 'place' ? 'place' : 'trust';
  const lines: string[] = [];
  const w = p.appliedWeights;
  const r = p.weights;
  const requestedDiffers = w.need !== r.need || w.gap !== r.gap || w.equal !== r.equal;

  lines.push(
    `${pounds(p.budget)} was split between the ${units.length} ${noun}s of the ${config.name} ` +
      `Cancer Alliance: ${percent(w.need)} by need, ${percent(w.gap)} by the performance gap and ` +
      `${percent(w.equal)} in equal shares` +
      (requestedDiffers
        ? ` (asked for ${percent(r.need)} / ${percent(r.gap)} / ${percent(r.equal)}; see the notes)`
        : '') +
      ` — ${document.method}.`,
  );

  const population =
    p.unit === 'place'
      ? "each place's residents"
      : "each trust's catchment — every place's residents shared between the trusts in " +
        `proportion to the place's ${standardName(p.catchmentStandard ?? 'fds')} ` +
        `patients each trust saw in ${p.window.from} to ${p.window.to}`;
  const rule = p.deprivation;
  const deprivation =
    'beta' in rule
      ? `then multiplied by 1 + ${number(rule.beta, 4)} × the share of that need living in ` +
        `national IMD ${p.imdEdition} quintile 1 (Core20)`
      : "then each IMD quintile's part multiplied by its own factor (quintile 1 to 5: " +
        `${IMD_QUINTILES.map((q) => number(rule.multipliers[q], 4)).join(', ')}` +
        `, IMD ${p.imdEdition})`;
  const source = p.ageWeights.source;
  const unverified = p.ageWeights.verified || /UNVERIFIED/.test(source) ? '' : ', UNVERIFIED';
  lines.push(
    `Need is ${population}: ${number(totals.population, 0)} people in all, from the ` +
      `${document.provenance.population.population.edition}. It is weighted by age band ` +
      `(${source}${unverified}), ${deprivation}.`,
  );

  const standards = list(p.standards.map(standardName));
  lines.push(
    `The performance gap counts the patients short of target on ${standards} from ` +
      `${p.window.from} to ${p.window.to}: for each ${noun} and month, the target in force × ` +
      `patients − patients within the standard, when positive` +
      (p.unit === 'place' ? ', counting patients by where they live' : '') +
      `. In all ${number(totals.gap, 2)} patients.`,
  );

  if (p.damping) {
    const capped = units.filter((unit) => unit.damping?.limitedBy);
    lines.push(
      `Each amount was then kept within ±${percent(p.damping.maxChange)} of the ${noun}'s ` +
        `previous allocation${p.previous?.allocationId ? ` (${p.previous.allocationId})` : ''}, ` +
        'scaled to this budget; the others were adjusted in proportion so the total still adds up' +
        (capped.length > 0
          ? `. Held at a cap: ${list(capped.map((u) => `${u.name} (${u.damping?.limitedBy})`))}.`
          : '. No amount reached a cap.'),
    );
  }
  lines.push(
    `Amounts are whole multiples of ${pounds(p.roundTo)}; the largest-remainder method makes them ` +
      `add up to ${pounds(p.budget)} exactly.`,
  );

  for (const unit of units) {
    const parts = [
      `need ${pounds(unit.terms.need)}`,
      `gap ${pounds(unit.terms.gap)}`,
      `equal share ${pounds(unit.terms.equal)}`,
    ];
    const adjustments: string[] = [];
    const damped = unit.afterDamping - unit.beforeDamping;
    if (Math.abs(damped) >= 0.5) {
      adjustments.push(`damping ${damped > 0 ? '+' : '−'}${pounds(Math.abs(damped))}`);
    }
    const rounding = unit.amount - unit.afterDamping;
    if (Math.abs(rounding) >= 0.005) {
      adjustments.push(`rounding ${rounding > 0 ? '+' : '−'}${pence(Math.abs(rounding))}`);
    }
    lines.push(
      `${unit.name}: ${pounds(unit.amount)} (${percent(unit.share, 2)}) = ${parts.join(' + ')}` +
        (adjustments.length > 0 ? `, ${adjustments.join(', ')}` : '') +
        `; population ${number(unit.population, 0)}, ` +
        `Core20 share of need ${percent(unit.core20Share)}, ` +
        `${number(unit.gap, 2)} ${unit.gap === 1 ? 'patient' : 'patients'} short of target.`,
    );
  }
  for (const note of document.notes) lines.push(`Note: ${note}`);
  return lines;
}
