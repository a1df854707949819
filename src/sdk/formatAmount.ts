import { formatUnits } from "ethers";

export interface FormatAmountOptions {
  /** Show at most this many decimals; a longer value is cut (not rounded) and marked with "~". */
  maxDecimals?: number;
}

/**
 * A token amount in whole units with grouped thousands and no trailing zero decimals:
 * 50000000000000000000000n with 18 decimals is "50,000"; half a token is "0.5"; with
 * `maxDecimals: 4`, 915.525114155251141552 tokens is "~915.5251".
 */
export function formatAmount(value: bigint, decimals: number, { maxDecimals }: FormatAmountOptions = {}): string {
  const negative = value < 0n;
  const [whole = "0", fraction = ""] = formatUnits(negative ? -value : value, decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  let shown = fraction.replace(/0+$/, "");
  let approximate = false;
  if (maxDecimals !== undefined && shown.length > maxDecimals) {
    shown = shown.slice(0, maxDecimals).replace(/0+$/, "");
    approximate = true;
  }
  return `${approximate ? "~" : ""}${negative ? "-" : ""}${grouped}${shown.length > 0 ? `.${shown}` : ""}`;
}
