/**
 * What the commands read from and print to people: token amounts in whole units, proposal ids,
 * vote support, times (from the chain's clock, not the machine's).
 */
import { getAddress, isAddress, parseUnits } from "ethers";

import { formatAmount } from "../../src/sdk/formatAmount.js";
import { CommandError } from "./command.js";

export { formatAmount };

const DECIMAL = /^\d+(\.\d+)?$/;

/** "1000" → 1000 tokens in the smallest unit; "0.5" → half a token. `_` may group digits. */
export function parseAmount(text: string, decimals: number): bigint {
  const clean = text.trim().replaceAll("_", "");
  if (!DECIMAL.test(clean)) {
    throw new CommandError(`"${text}" is not an amount: write whole tokens, such as 1000 or 0.5`);
  }
  try {
    return parseUnits(clean, decimals);
  } catch {
    throw new CommandError(`"${text}" has more than ${decimals} decimals`);
  }
}

/** A checksummed address, or a CommandError naming `what`. */
export function parseAddress(text: string, what: string): string {
  const candidate: string = text;
  if (!isAddress(candidate)) throw new CommandError(`${what} "${text}" is not an address`);
  return getAddress(candidate);
}

/** A proposal id, decimal or 0x hex. */
export function parseProposalId(text: string): bigint {
  const clean = text.trim();
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(clean)) {
    throw new CommandError(`"${text}" is not a proposal id (a decimal number, 0x hex, or "latest")`);
  }
  return BigInt(clean);
}

/** GovernorCountingSimple's support values. */
export const SUPPORT = { against: 0, for: 1, abstain: 2 } as const;
export type SupportName = keyof typeof SUPPORT;

export function parseSupport(text: string): SupportName {
  const clean = text.trim().toLowerCase();
  if (clean in SUPPORT) return clean as SupportName;
  throw new CommandError(`"${text}" is not a vote: use for, against or abstain`);
}

/** A timestamp as UTC, and how far it is from `now` (both in seconds): "2026-05-08 07:50:55 UTC (in 59 s)". */
export function formatTime(timestamp: bigint, now: bigint): string {
  const iso = new Date(Number(timestamp) * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
  return `${iso} (${formatRelative(timestamp - now)})`;
}

/** A signed duration in words: "in 59 s", "3 h ago", "now". */
export function formatRelative(seconds: bigint): string {
  if (seconds === 0n) return "now";
  const abs = seconds < 0n ? -seconds : seconds;
  const span =
    abs < 120n
      ? `${abs} s`
      : abs < 2n * 3600n
        ? `${abs / 60n} min`
        : abs < 2n * 86_400n
          ? `${abs / 3600n} h`
          : `${abs / 86_400n} days`;
  return seconds > 0n ? `in ${span}` : `${span} ago`;
}

/** Basis points as a percentage: 1250 → "12.5%". */
export function formatBps(bps: bigint | number): string {
  return `${Number(bps) / 100}%`;
}

/** Rows of cells as aligned columns, two spaces apart. */
export function columns(rows: readonly (readonly string[])[], align: readonly ("left" | "right")[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (align[i] === "right" ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}
