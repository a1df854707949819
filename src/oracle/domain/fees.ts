/**
 * Fee arithmetic for EIP-1559 transactions and their replacements (pure).
 */

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

const PERCENT = 100n;

/**
 * The fees of a replacement: each at least `bumpPercent` above the previous one (nodes
 * demand ≥ 10%), at least the current market fees, and never above `cap` (if set).
 */
export function bumpFees({
  previous,
  market,
  bumpPercent,
  cap,
}: {
  previous: Fees;
  market: Fees;
  bumpPercent: number;
  cap?: bigint | undefined;
}): Fees {
  const bump = (value: bigint) => (value * (PERCENT + BigInt(bumpPercent)) + PERCENT - 1n) / PERCENT;
  let maxPriorityFeePerGas = bigMax(bump(previous.maxPriorityFeePerGas), market.maxPriorityFeePerGas);
  let maxFeePerGas = bigMax(bump(previous.maxFeePerGas), market.maxFeePerGas, maxPriorityFeePerGas);
  if (cap !== undefined) {
    maxFeePerGas = bigMin(maxFeePerGas, cap);
    maxPriorityFeePerGas = bigMin(maxPriorityFeePerGas, maxFeePerGas);
  }
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** Whether `next` is a valid replacement of `previous` (both fees raised by ≥ `minPercent`). */
export function isValidReplacement(previous: Fees, next: Fees, minPercent = 10): boolean {
  const min = (value: bigint) => (value * (PERCENT + BigInt(minPercent))) / PERCENT;
  return (
    next.maxFeePerGas >= min(previous.maxFeePerGas) && next.maxPriorityFeePerGas >= min(previous.maxPriorityFeePerGas)
  );
}

export function bigMax(...values: bigint[]): bigint {
  return values.reduce((a, b) => (b > a ? b : a));
}

export function bigMin(...values: bigint[]): bigint {
  return values.reduce((a, b) => (b < a ? b : a));
}
