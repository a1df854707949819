/** `hardhat gov balance [--account <address>]`: balance, votes and delegate of an account. */
import { ZeroAddress } from "ethers";

import { command } from "../lib/command.js";
import { connectSystem } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { columns, parseAddress } from "../lib/units.js";

interface BalanceArgs extends GovOptions {
  account: string | undefined;
}

export default command<BalanceArgs>(async (args, hre) => {
  const sys = await connectSystem(hre, args);
  const account = args.account === undefined ? (await sys.signer()).address : parseAddress(args.account, "--account");
  const [balance, votes, delegate, supply] = await Promise.all([
    sys.token.balanceOf(account),
    sys.token.getVotes(account),
    sys.token.delegates(account),
    sys.token.totalSupply(),
  ]);
  const share = supply === 0n ? "0" : (Number((balance * 1_000_000n) / supply) / 10_000).toString();
  for (const line of columns([
    ["account", account],
    ["balance", `${sys.amount(balance)} (${share}% of supply)`],
    ["votes", sys.amount(votes)],
    ["delegate", delegate === ZeroAddress ? "none (its tokens do not vote: gov delegate)" : delegate],
  ])) {
    console.log(line);
  }
});
