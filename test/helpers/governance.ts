import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { id, toBeHex, ZeroHash } from "ethers";

import type { CreditGovernor, TimelockController } from "../../types/ethers-contracts/index.js";

/** OpenZeppelin's IGovernor.ProposalState, by name. */
export const ProposalState = {
  Pending: 0n,
  Active: 1n,
  Canceled: 2n,
  Defeated: 3n,
  Succeeded: 4n,
  Queued: 5n,
  Expired: 6n,
  Executed: 7n,
} as const;

/** GovernorCountingSimple's support values. */
export const VoteType = { Against: 0, For: 1, Abstain: 2 } as const;

/** The bitmap Governor puts in GovernorUnexpectedProposalState's `expectedStates`. */
export function stateBitmap(...states: bigint[]): string {
  const bits = states.reduce((acc, s) => acc | (1n << s), 0n);
  return "0x" + bits.toString(16).padStart(64, "0");
}

export interface Proposal {
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
}

/**
 * Drives one proposal through its lifecycle, after OpenZeppelin's test/helpers/governance.js:
 * propose, wait for the snapshot, vote, wait for the deadline, queue, wait for the eta, execute.
 */
export class GovernorHelper {
  public id: bigint | undefined;

  constructor(
    private readonly governor: CreditGovernor,
    private readonly helpers: NetworkHelpers,
    public readonly proposal: Proposal,
  ) {}

  get descriptionHash(): string {
    return id(this.proposal.description);
  }

  get args(): [string[], bigint[], string[], string] {
    const { targets, values, calldatas } = this.proposal;
    return [targets, values, calldatas, this.descriptionHash];
  }

  get proposalId(): bigint {
    if (this.id === undefined) throw new Error("propose first");
    return this.id;
  }

  async computeId(): Promise<bigint> {
    return this.governor.hashProposal(...this.args);
  }

  propose(proposer: HardhatEthersSigner) {
    const { targets, values, calldatas, description } = this.proposal;
    return this.governor.connect(proposer).propose(targets, values, calldatas, description);
  }

  async proposeAndRecord(proposer: HardhatEthersSigner): Promise<bigint> {
    await (await this.propose(proposer)).wait();
    this.id = await this.computeId();
    return this.id;
  }

  /** Advances time past the snapshot so that voting is open. */
  async waitForSnapshot(offset = 1n): Promise<void> {
    const snapshot = await this.governor.proposalSnapshot(this.proposalId);
    await this.helpers.time.increaseTo(snapshot + offset);
  }

  /** Advances time past the (possibly extended) deadline so that voting is closed. */
  async waitForDeadline(offset = 1n): Promise<void> {
    const deadline = await this.governor.proposalDeadline(this.proposalId);
    await this.helpers.time.increaseTo(deadline + offset);
  }

  vote(voter: HardhatEthersSigner, support: number, reason?: string) {
    return reason === undefined
      ? this.governor.connect(voter).castVote(this.proposalId, support)
      : this.governor.connect(voter).castVoteWithReason(this.proposalId, support, reason);
  }

  queue(caller?: HardhatEthersSigner) {
    const governor = caller ? this.governor.connect(caller) : this.governor;
    return governor["queue(address[],uint256[],bytes[],bytes32)"](...this.args);
  }

  /** Advances time to the timelock's eta. */
  async waitForEta(offset = 0n): Promise<void> {
    const eta = await this.governor.proposalEta(this.proposalId);
    await this.helpers.time.increaseTo(eta + offset);
  }

  execute(caller?: HardhatEthersSigner) {
    const governor = caller ? this.governor.connect(caller) : this.governor;
    return governor["execute(address[],uint256[],bytes[],bytes32)"](...this.args);
  }

  cancel(caller: HardhatEthersSigner) {
    return this.governor.connect(caller)["cancel(address[],uint256[],bytes[],bytes32)"](...this.args);
  }

  /**
   * The timelock operation id GovernorTimelockControl schedules: the batch hash with salt
   * `bytes20(governor) ^ descriptionHash`.
   */
  async timelockOperationId(timelock: TimelockController): Promise<string> {
    const governor = BigInt(await this.governor.getAddress());
    const salt = toBeHex((governor << 96n) ^ BigInt(this.descriptionHash), 32);
    const { targets, values, calldatas } = this.proposal;
    return timelock.hashOperationBatch(targets, values, calldatas, ZeroHash, salt);
  }

  state(): Promise<bigint> {
    return this.governor.state(this.proposalId);
  }

  /** Runs propose → vote (all `voters` for) → queue → execute; returns the execute receipt. */
  async passWith(proposer: HardhatEthersSigner, voters: HardhatEthersSigner[]) {
    await this.proposeAndRecord(proposer);
    await this.waitForSnapshot();
    for (const voter of voters) await (await this.vote(voter, VoteType.For)).wait();
    await this.waitForDeadline();
    await (await this.queue()).wait();
    await this.waitForEta();
    return (await this.execute()).wait();
  }
}
