/**
 * Reverts in words. Every custom error of the system's contracts (and of the OpenZeppelin
 * contracts they are built from) is decoded with the compiled ABIs, and the ones a token holder
 * meets in governance are phrased as sentences:
 * `GovernorUnexpectedProposalState(id, 0, 0x…02)` becomes "proposal 123… is Pending, not
 * Active".
 */
import { Interface } from "ethers";
import type { ErrorDescription, ErrorFragment, InterfaceAbi } from "ethers";

import {
  ContributionRewards__factory,
  CreditGovernor__factory,
  CreditToken__factory,
  EmissionController__factory,
  TimelockController__factory,
} from "../../types/ethers-contracts/index.js";
import { formatAmount } from "./formatAmount.js";

/** OpenZeppelin's IGovernor.ProposalState, by value. */
export const PROPOSAL_STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
] as const;
export type ProposalStateName = (typeof PROPOSAL_STATES)[number];

/** OpenZeppelin's TimelockController.OperationState, by value. */
export const OPERATION_STATES = ["Unset", "Waiting", "Ready", "Done"] as const;

/** The states set in a Governor or Timelock state bitmap (bit i = state i). */
export function statesInBitmap<T extends string>(bitmap: bigint | string, names: readonly T[]): T[] {
  const bits = BigInt(bitmap);
  return names.filter((_, i) => ((bits >> BigInt(i)) & 1n) === 1n);
}

/** Every error of every contract of the system, once. */
const errorsInterface = (() => {
  const seen = new Set<string>();
  const errors: InterfaceAbi = [];
  for (const abi of [
    CreditGovernor__factory.abi,
    TimelockController__factory.abi,
    CreditToken__factory.abi,
    ContributionRewards__factory.abi,
    EmissionController__factory.abi,
  ]) {
    for (const fragment of abi) {
      if (fragment.type !== "error") continue;
      const signature = `${fragment.name}(${fragment.inputs.map((input) => input.type).join(",")})`;
      if (seen.has(signature)) continue;
      seen.add(signature);
      (errors as unknown[]).push(fragment);
    }
  }
  return new Interface(errors);
})();

const HEX = /^0x([0-9a-fA-F]{2})*$/;

/**
 * The revert data carried by an error from ethers, Hardhat or a JSON-RPC node, wherever it sits
 * (`data`, `error.data`, `info.error.data`, `cause`...); undefined if there is none.
 */
export function findRevertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (value === null || typeof value !== "object" || seen.has(value) || depth > 6) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const data = record.data;
    if (typeof data === "string" && HEX.test(data) && data.length >= 10) return data;
    for (const key of ["data", "error", "info", "cause", "revert", "payload"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** A decoded revert: the error's name and arguments (ethers' description). */
export function decodeRevert(data: string): ErrorDescription | undefined {
  try {
    return errorsInterface.parseError(data) ?? undefined;
  } catch {
    return undefined;
  }
}

export interface DescribeRevertOptions {
  /** Formats a token amount; defaults to 18 decimals and "CRED". */
  formatAmount?: (value: bigint) => string;
}

const short = (value: bigint | string) => {
  const text = typeof value === "bigint" ? value.toString() : value;
  return text.length > 22 ? `${text.slice(0, 10)}…${text.slice(-8)}` : text;
};

const joinOr = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? "nothing") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;

/**
 * One sentence for revert `data` (hex); undefined if the data is not an error of the system.
 */
export function describeRevert(data: string, options: DescribeRevertOptions = {}): string | undefined {
  const fmt = options.formatAmount ?? ((value: bigint) => `${formatAmount(value, 18)} CRED`);
  const decoded = decodeRevert(data);
  if (decoded === undefined) return undefined;
  const a = decoded.args;
  switch (decoded.name) {
    case "Error":
      return `reverted: ${String(a[0])}`;
    case "Panic":
      return `panicked with code 0x${(a[0] as bigint).toString(16)}`;
    case "GovernorUnexpectedProposalState": {
      const current = PROPOSAL_STATES[Number(a[1])] ?? `state ${a[1]}`;
      const expected = statesInBitmap(a[2] as string, PROPOSAL_STATES);
      return expected.length === 0
        ? `proposal ${a[0]} already exists (${current}): change the description to propose the same actions again`
        : `proposal ${a[0]} is ${current}, not ${joinOr(expected)}`;
    }
    case "GovernorNonexistentProposal":
      return `there is no proposal ${a[0]}`;
    case "GovernorAlreadyCastVote":
      return `${a[0]} has already voted on this proposal`;
    case "GovernorInsufficientProposerVotes":
      return `${a[0]} has ${fmt(a[1] as bigint)} of votes, below the proposal threshold of ${fmt(a[2] as bigint)} (votes count once delegated)`;
    case "GovernorNotQueuedProposal":
      return `proposal ${a[0]} has not been queued`;
    case "GovernorUnableToCancel":
      return `${a[1]} may not cancel proposal ${a[0]}`;
    case "GovernorRestrictedProposer":
      return `${a[0]} may not propose this (restricted description)`;
    case "GovernorInvalidVoteType":
      return "the vote type must be for, against or abstain";
    case "GovernorInvalidProposalLength":
      return `a proposal needs as many targets, values and calldatas (got ${a[0]}, ${a[2]} and ${a[1]})`;
    case "GovernorOnlyExecutor":
      return `${a[0]} is not the governor's executor (only a proposal can do this)`;
    case "TimelockUnexpectedOperationState": {
      const expected = statesInBitmap(a[1] as string, OPERATION_STATES);
      return `the timelock operation ${short(a[0] as string)} is not ${joinOr(expected)}`;
    }
    case "TimelockUnexecutedPredecessor":
      return `the timelock operation depends on ${short(a[0] as string)}, which has not run`;
    case "TimelockInsufficientDelay":
      return `a delay of ${a[0]} s is below the timelock's minimum of ${a[1]} s`;
    case "ERC20InsufficientBalance":
      return `${a[0]} has ${fmt(a[1] as bigint)}, which is less than the ${fmt(a[2] as bigint)} needed`;
    case "ERC20InsufficientAllowance":
      return `${a[0]} may spend only ${fmt(a[1] as bigint)} of the owner's tokens, less than the ${fmt(a[2] as bigint)} needed`;
    case "ERC20InvalidReceiver":
      return `tokens cannot be sent to ${a[0]}`;
    case "ERC20ExceededCap":
      return `the supply would reach ${fmt(a[0] as bigint)}, past the cap of ${fmt(a[1] as bigint)}`;
    case "ERC5805FutureLookup":
      return `time ${a[0]} is not in the past yet (now ${a[1]})`;
    case "AccessControlUnauthorizedAccount":
      return `${a[0]} lacks the role ${short(a[1] as string)}`;
    case "OwnableUnauthorizedAccount":
      return `${a[0]} is not the owner (only the timelock, through a proposal, is)`;
    default:
      return `${decoded.name}(${describeArgs(decoded)})`;
  }
}

function describeArgs(decoded: ErrorDescription): string {
  const fragment: ErrorFragment = decoded.fragment;
  return fragment.inputs
    .map((input, i) => {
      const value: unknown = decoded.args[i];
      return `${input.name || `#${i}`}: ${Array.isArray(value) ? `[${value.map(String).join(", ")}]` : String(value)}`;
    })
    .join(", ");
}

/**
 * One line for any error from a transaction or a call: the decoded revert if there is one,
 * otherwise the error's short message (ethers' `shortMessage`, else the first line).
 */
export function describeError(error: unknown, options: DescribeRevertOptions = {}): string {
  const data = findRevertData(error);
  if (data !== undefined) {
    const described = describeRevert(data, options);
    if (described !== undefined) return described;
  }
  if (error instanceof Error) {
    const { shortMessage } = error as Error & { shortMessage?: unknown };
    const message = typeof shortMessage === "string" && shortMessage.length > 0 ? shortMessage : error.message;
    return message.split("\n")[0] ?? String(error);
  }
  return String(error);
}
