/**
 * Proposal helpers shared by the `gov` commands: resolving "latest", sending a transaction and
 * reporting it, and the context that turns a wrong-state revert into an actionable sentence.
 */
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";

import { describeError, findRevertData, PROPOSAL_STATES } from "../../src/sdk/describeRevert.js";
import type { ProposalStateName } from "../../src/sdk/describeRevert.js";
import { CommandError } from "./command.js";
import type { System } from "./connect.js";
import { formatTime, parseProposalId } from "./units.js";

/** The proposal id a command names: an id, or "latest" (the newest in GovernorStorage). */
export async function resolveProposalId(sys: System, text: string): Promise<bigint> {
  if (text.trim().toLowerCase() !== "latest") return parseProposalId(text);
  const count = await sys.governor.proposalCount();
  if (count === 0n) throw new CommandError("there are no proposals yet");
  const [id] = await sys.governor.proposalDetailsAt(count - 1n);
  return id;
}

export async function proposalState(sys: System, id: bigint): Promise<ProposalStateName> {
  const state = await sys.governor.state(id).catch((error: unknown) => {
    throw new CommandError(describeError(error, { formatAmount: sys.amount }));
  });
  return PROPOSAL_STATES[Number(state)] ?? "Pending";
}

/**
 * Sends a transaction and waits for it. A revert (at estimation or on-chain) becomes a
 * CommandError with the decoded reason and, if `explain` finds one, why in this case.
 */
export async function send(
  sys: System,
  transaction: () => Promise<ContractTransactionResponse>,
  explain?: () => Promise<string | undefined>,
): Promise<ContractTransactionReceipt> {
  try {
    const response = await transaction();
    const receipt = await response.wait();
    if (receipt === null) throw new CommandError(`transaction ${response.hash} was dropped`);
    return receipt;
  } catch (error) {
    if (error instanceof CommandError) throw error;
    const reason = describeError(error, { formatAmount: sys.amount });
    const context = findRevertData(error) !== undefined && explain ? await explain().catch(() => undefined) : undefined;
    throw new CommandError(context === undefined ? reason : `${reason}; ${context}`);
  }
}

/** "tx 0xabc… in block 12, 80,123 gas". */
export function describeReceipt(receipt: ContractTransactionReceipt): string {
  return `tx ${receipt.hash} in block ${receipt.blockNumber}, ${receipt.gasUsed.toLocaleString("en-US")} gas`;
}

/** When a proposal's voting opens and closes, and when it may be executed, in words. */
export async function whyNotNow(
  sys: System,
  id: bigint,
  action: "vote" | "queue" | "execute",
): Promise<string | undefined> {
  const [state, now] = await Promise.all([proposalState(sys, id), sys.now()]);
  if (state === "Pending") {
    const snapshot = await sys.governor.proposalSnapshot(id);
    return `voting opens after ${formatTime(snapshot, now)}`;
  }
  if (state === "Active" && action !== "vote") {
    const deadline = await sys.governor.proposalDeadline(id);
    return `voting is open until ${formatTime(deadline, now)}`;
  }
  if (state === "Succeeded" && action === "execute") return `queue it first: hardhat gov queue ${id}`;
  if (state === "Queued" && action === "execute") {
    const eta = await sys.governor.proposalEta(id);
    return eta > now ? `proposal ${id} is queued until ${formatTime(eta, now)}` : undefined;
  }
  if (state === "Defeated") {
    const [against, forVotes] = await sys.governor.proposalVotes(id);
    return `it was defeated with ${sys.amount(forVotes)} for and ${sys.amount(against)} against`;
  }
  return undefined;
}
