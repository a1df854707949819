/** `hardhat gov transfer <to> <amount>`: sends whole tokens ("1000", "0.5"). */
import { command, CommandError } from "../lib/command.js";
import { connectSystem } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { describeReceipt, send } from "../lib/proposals.js";
import { parseAddress } from "../lib/units.js";

interface TransferArgs extends GovOptions {
  to: string;
  amount: string;
}

export default command<TransferArgs>(async (args, hre) => {
  const sys = await connectSystem(hre, args);
  const to = parseAddress(args.to, "the recipient");
  const amount = sys.parseAmount(args.amount);
  if (amount === 0n) throw new CommandError("the amount is zero");
  const signer = await sys.signer();
  const receipt = await send(sys, () => sys.token.connect(signer).transfer(to, amount));
  console.log(`sent ${sys.amount(amount)} from ${signer.address} to ${to}`);
  console.log(`balance of ${signer.address}: ${sys.amount(await sys.token.balanceOf(signer.address))}`);
  console.log(describeReceipt(receipt));
});
