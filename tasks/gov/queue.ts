/** `hardhat gov queue <id>`: puts a succeeded proposal in the timelock. */
import { command } from "../lib/command.js";
import { connectSystem } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { describeReceipt, resolveProposalId, send, whyNotNow } from "../lib/proposals.js";
import { formatTime } from "../lib/units.js";

interface QueueArgs extends GovOptions {
  id: string;
}

export default command<QueueArgs>(async (args, hre) => {
  const sys = await connectSystem(hre, args);
  const id = await resolveProposalId(sys, args.id);
  const governor = sys.governor.connect(await sys.signer());
  const receipt = await send(
    sys,
    () => governor["queue(uint256)"](id),
    () => whyNotNow(sys, id, "queue"),
  );
  const [eta, now] = await Promise.all([sys.governor.proposalEta(id), sys.now()]);
  console.log(`proposal ${id} queued; it can be executed after ${formatTime(eta, now)}`);
  console.log(describeReceipt(receipt));
});
