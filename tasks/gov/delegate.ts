/** `hardhat gov delegate [--to <address>]`: tokens vote only once delegated, to oneself or another. */
import { command } from "../lib/command.js";
import { connectSystem } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { describeReceipt, send } from "../lib/proposals.js";
import { parseAddress } from "../lib/units.js";

interface DelegateArgs extends GovOptions {
  to: string | undefined;
}

export default command<DelegateArgs>(async (args, hre) => {
  const sys = await connectSystem(hre, args);
  const signer = await sys.signer();
  const to = args.to === undefined ? signer.address : parseAddress(args.to, "--to");
  const receipt = await send(sys, () => sys.token.connect(signer).delegate(to));
  const [balance, votes] = await Promise.all([sys.token.balanceOf(signer.address), sys.token.getVotes(to)]);
  const whom = to === signer.address ? "itself" : to;
  console.log(`${signer.address} delegates its ${sys.amount(balance)} to ${whom}`);
  console.log(`votes of ${to}: ${sys.amount(votes)}`);
  console.log(describeReceipt(receipt));
});
