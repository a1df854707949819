/**
 * The EmissionController's policy math in TypeScript, step for step and rounding for rounding,
 * for dashboards, the simulator and tests (which check it against the contract). The contract
 * is the authority; see IEmissionController's NatSpec and docs/tokenomics.md.
 */
export const BPS = 10_000n;
export const WAD = 10n ** 18n;
export const ANNUAL_WINDOW = 365n * 24n * 60n * 60n;

export interface Policy {
  epochLength: bigint;
  maxBudgetStepBps: bigint;
  annualInflationBps: bigint;
  recycleBps: bigint;
  maxScaleStepBps: bigint;
  minRewardScale: bigint;
  budgetFloor: bigint;
  budgetMax: bigint;
}

/** What the policy needs to know about the epoch that ends. */
export interface EpochOutcome {
  base: bigint;
  budget: bigint;
  demand: bigint;
  burned: bigint;
  rewardScale: bigint;
}

/** The next epoch's base, budget and scale (before the trailing-year limit). */
export interface NextEpoch {
  base: bigint;
  budget: bigint;
  rewardScale: bigint;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** `x` bounded to [lo, hi]; `hi` wins if `lo > hi`, as in the contract. */
export function clamp(x: bigint, lo: bigint, hi: bigint): bigint {
  return min(max(x, lo), hi);
}

/** `annualInflationBps` of `supply`, saturated at 2^128 - 1. */
export function annualCap(policy: Policy, supply: bigint): bigint {
  return min((supply * policy.annualInflationBps) / BPS, (1n << 128n) - 1n);
}

/** The highest base budget: the governed maximum or an epoch's share of the annual cap. */
export function ceiling(policy: Policy, cap: bigint): bigint {
  return min(policy.budgetMax, (cap * policy.epochLength) / ANNUAL_WINDOW);
}

/** The base after an epoch with `budget` and `demand` at scale 1.0 (before clamping). */
export function nextBase(policy: Policy, base: bigint, budget: bigint, demand: bigint): bigint {
  const from = max(base, policy.budgetFloor);
  if (budget === 0n) return demand > 0n ? from + (from * policy.maxBudgetStepBps) / BPS : from;
  if (demand >= budget) {
    const excess = min(demand - budget, budget);
    return from + (from * policy.maxBudgetStepBps * excess) / (BPS * budget);
  }
  return from - ceilDiv(from * policy.maxBudgetStepBps * (budget - demand), BPS * budget);
}

/** The reward scale for an epoch with `nextBudget` after `rawDemand` (demand at scale 1.0). */
export function nextScale(policy: Policy, scale: bigint, nextBudget: bigint, rawDemand: bigint): bigint {
  const target = rawDemand === 0n ? WAD : min(WAD, (nextBudget * WAD) / rawDemand);
  const lower = scale - ceilDiv(scale * policy.maxScaleStepBps, BPS);
  const upper = scale + (scale * policy.maxScaleStepBps) / BPS;
  return clamp(clamp(target, lower, upper), policy.minRewardScale, WAD);
}

/** `factor^n` in WAD, by repeated squaring, saturating at 2^64 * WAD (as the contract). */
export function pow(factor: bigint, n: bigint): bigint {
  const saturation = ((1n << 64n) - 1n) * WAD;
  let result = WAD;
  let f = factor;
  let k = n;
  while (k > 0n) {
    if ((k & 1n) === 1n) result = min((result * f) / WAD, saturation);
    k >>= 1n;
    if (k > 0n) f = min((f * f) / WAD, saturation);
  }
  return result;
}

/**
 * The epoch after `previous`, then `skipped` idle epochs (no demand, no burns) later: the
 * same computation as EmissionController._opening, without the trailing-year limit.
 */
export function nextEpoch(policy: Policy, previous: EpochOutcome, supply: bigint, skipped = 0n): NextEpoch {
  const top = ceiling(policy, annualCap(policy, supply));
  // Recorded demand is priced at the epoch's scale; the policy reacts to demand at scale 1.0.
  const rawDemand = (previous.demand * WAD) / previous.rewardScale;
  let base = clamp(nextBase(policy, previous.base, previous.budget, rawDemand), policy.budgetFloor, top);
  let budget = min(base + (previous.burned * policy.recycleBps) / BPS, (1n << 128n) - 1n);
  let rewardScale = nextScale(policy, previous.rewardScale, budget, rawDemand);
  if (skipped > 0n) {
    base = clamp((base * pow(WAD - (WAD * policy.maxBudgetStepBps) / BPS, skipped)) / WAD, policy.budgetFloor, top);
    budget = base;
    rewardScale = min(WAD, (rewardScale * pow(WAD + (WAD * policy.maxScaleStepBps) / BPS, skipped)) / WAD);
  }
  return { base, budget, rewardScale };
}

/** The epoch's mint limit: its budget, lowered to what the trailing-year cap leaves. */
export function epochLimit(budget: bigint, cap: bigint, mintedInWindowBefore: bigint): bigint {
  return min(budget, cap > mintedInWindowBefore ? cap - mintedInWindowBefore : 0n);
}
