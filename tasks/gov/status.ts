/** `hardhat gov status [id|latest]`: state, votes, quorum, times and the actions of a proposal. */
import { describeCall } from "../../src/sdk/proposals.js";
import { command } from "../lib/command.js";
import { connectSystem } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { proposalState, resolveProposalId } from "../lib/proposals.js";
import { columns, formatTime } from "../lib/units.js";

interface StatusArgs extends GovOptions {
  id: string;
}

export default command<StatusArgs>(async (args, hre) => {
  const sys = await connectSystem(hre, args);
  const id = await resolveProposalId(sys, args.id);
  const state = await proposalState(sys, id);
  const { governor } = sys;
  const [proposer, snapshot, deadline, eta, [against, forVotes, abstain], details, clock, now] = await Promise.all([
    governor.proposalProposer(id),
    governor.proposalSnapshot(id),
    governor.proposalDeadline(id),
    governor.proposalEta(id),
    governor.proposalVotes(id),
    governor.proposalDetails(id),
    governor.clock(),
    sys.now(),
  ]);
  // The quorum is fixed at the snapshot; before it, show what it would be now.
  let quorum: string;
  if (snapshot < clock) {
    const needed = await governor.quorum(snapshot);
    const counted = forVotes + abstain;
    quorum = `${sys.amount(needed)} at the snapshot: ${counted >= needed ? "reached" : `${sys.amount(needed - counted)} short`} (for + abstain)`;
  } else {
    const needed = await governor.quorum(clock - 1n);
    quorum = `about ${sys.amount(needed)} (fixed at the snapshot)`;
  }
  const [targets, values, calldatas] = details;

  const rows: string[][] = [
    ["proposal", id.toString()],
    ["state", state],
    ["proposer", proposer],
    ["voting opens", formatTime(snapshot, now)],
    ["voting closes", formatTime(deadline, now)],
    ["votes", `for ${sys.amount(forVotes)}, against ${sys.amount(against)}, abstain ${sys.amount(abstain)}`],
    ["quorum", quorum],
    ["eta", eta === 0n ? "not queued" : formatTime(eta, now)],
  ];
  for (const line of columns(rows)) console.log(line);
  console.log("actions");
  targets.forEach((target, i) => {
    const call = describeCall({
      target,
      value: values[i] ?? 0n,
      calldata: calldatas[i] ?? "0x",
      addresses: sys.addresses,
      decimals: sys.decimals,
      symbol: sys.symbol,
    });
    console.log(`  ${i + 1}. ${call}`);
  });
});
