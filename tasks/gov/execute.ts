/** `hardhat gov execute <id>`: runs a queued proposal's actions once the timelock delay has passed. */
import { command } from "../lib/command.js";
import { connectSystem } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { describeReceipt, resolveProposalId, send, whyNotNow } from "../lib/proposals.js";

interface ExecuteArgs extends GovOptions {
  id: string;
}

export default command<ExecuteArgs>(async (args, hre) => {
  const sys = await connectSystem(hre, args);
  const id = await resolveProposalId(sys, args.id);
  const governor = sys.governor.connect(await sys.signer());
  const receipt = await send(
    sys,
    () => governor["execute(uint256)"](id),
    () => whyNotNow(sys, id, "execute"),
  );
  console.log(`proposal ${id} executed`);
  console.log(describeReceipt(receipt));
});
