/** `hardhat gov vote <id> <for|against|abstain> [--reason "..."]`. */
import { command } from "../lib/command.js";
import { connectSystem } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { describeReceipt, resolveProposalId, send, whyNotNow } from "../lib/proposals.js";
import { parseSupport, SUPPORT } from "../lib/units.js";

interface VoteArgs extends GovOptions {
  id: string;
  support: string;
  reason: string | undefined;
}

export default command<VoteArgs>(async (args, hre) => {
  const support = parseSupport(args.support);
  const sys = await connectSystem(hre, args);
  const id = await resolveProposalId(sys, args.id);
  const signer = await sys.signer();
  const governor = sys.governor.connect(signer);
  const receipt = await send(
    sys,
    () =>
      args.reason === undefined
        ? governor.castVote(id, SUPPORT[support])
        : governor.castVoteWithReason(id, SUPPORT[support], args.reason),
    () => whyNotNow(sys, id, "vote"),
  );
  const cast = receipt.logs
    .map((log) => sys.governor.interface.parseLog(log))
    .find((event) => event?.name === "VoteCast");
  const weight = cast === undefined || cast === null ? undefined : (cast.args.weight as bigint);
  console.log(
    `${signer.address} voted ${support} on proposal ${id}` +
      (weight === undefined ? "" : ` with ${sys.amount(weight)}`) +
      (args.reason === undefined ? "" : `: "${args.reason}"`),
  );
  const [against, forVotes, abstain] = await sys.governor.proposalVotes(id);
  console.log(`votes now: for ${sys.amount(forVotes)}, against ${sys.amount(against)}, abstain ${sys.amount(abstain)}`);
  console.log(describeReceipt(receipt));
});
