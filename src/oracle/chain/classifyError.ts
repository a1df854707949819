/**
 * Sorts an RPC or contract error into what the oracle does about it. Node messages differ
 * between clients (geth, Hardhat/EDR, anvil, reth), so matching is on the phrases they share.
 */
import { BaseError, ContractFunctionRevertedError } from "viem";

export type ChainErrorKind =
  | "unreachable"
  | "nonce_too_low"
  | "nonce_too_high"
  | "underpriced"
  | "already_known"
  | "fee_too_low"
  | "insufficient_funds"
  | "out_of_gas"
  | "revert"
  | "unknown";

export interface ClassifiedChainError {
  kind: ChainErrorKind;
  /** The contract's custom error, for `revert`. */
  errorName?: string;
  errorArgs?: readonly unknown[];
  message: string;
}

const PATTERNS: [ChainErrorKind, RegExp][] = [
  ["nonce_too_low", /nonce too low|nonce has already been used|oldnonce|nonce.*(is )?too low/i],
  ["nonce_too_high", /nonce too high|nonce gap/i],
  ["already_known", /already known|known transaction|already imported|alreadyknown/i],
  ["underpriced", /replacement (transaction )?underpriced|replacement fee too low|transaction underpriced/i],
  [
    "fee_too_low",
    /max ?fee ?per ?gas.*(less than|too low)|fee cap less than block base fee|is too low for the next block/i,
  ],
  ["insufficient_funds", /insufficient funds/i],
  ["out_of_gas", /out of gas|gas required exceeds|intrinsic gas too low/i],
  [
    "unreachable",
    /fetch failed|econnrefused|econnreset|socket hang up|timed? ?out|timeout|network|http request failed|enotfound|ehostunreach|other side closed|terminated|503|502|504/i,
  ],
];

export function classifyChainError(error: unknown): ClassifiedChainError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data !== undefined) {
      return { kind: "revert", errorName: revert.data.errorName, errorArgs: revert.data.args ?? [], message };
    }
  }
  const text = collectMessages(error);
  for (const [kind, pattern] of PATTERNS) if (pattern.test(text)) return { kind, message };
  if (/revert/i.test(text)) return { kind: "revert", message };
  return { kind: "unknown", message };
}

function collectMessages(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    if (current instanceof Error) {
      const e = current as Error & { details?: string; shortMessage?: string; code?: string };
      parts.push(e.message, e.details ?? "", e.shortMessage ?? "", e.code ?? "");
      current = e.cause;
    } else {
      parts.push(typeof current === "string" ? current : (JSON.stringify(current) ?? ""));
      break;
    }
  }
  return parts.join(" | ");
}
