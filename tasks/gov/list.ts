/** `hardhat gov list [--limit n]`: the proposals GovernorStorage records, newest first. */
import { PROPOSAL_STATES } from "../../src/sdk/describeRevert.js";
import { command, CommandError } from "../lib/command.js";
import { connectSystem, DISPLAY_DECIMALS } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { columns, formatAmount, formatRelative } from "../lib/units.js";

interface ListArgs extends GovOptions {
  limit: number;
}

export default command<ListArgs>(async (args, hre) => {
  if (args.limit < 1) throw new CommandError("--limit must be at least 1");
  const sys = await connectSystem(hre, args);
  const { governor } = sys;
  const [count, now] = await Promise.all([governor.proposalCount(), sys.now()]);
  if (count === 0n) {
    console.log(`no proposals yet (governor ${sys.addresses.governor})`);
    return;
  }
  const first = count > BigInt(args.limit) ? count - BigInt(args.limit) : 0n;
  const indexes: bigint[] = [];
  for (let i = count - 1n; i >= first; i--) indexes.push(i);
  const rows = await Promise.all(
    indexes.map(async (index) => {
      const [id] = await governor.proposalDetailsAt(index);
      const [state, [against, forVotes, abstain], deadline, eta] = await Promise.all([
        governor.state(id),
        governor.proposalVotes(id),
        governor.proposalDeadline(id),
        governor.proposalEta(id),
      ]);
      const name = PROPOSAL_STATES[Number(state)] ?? String(state);
      const when =
        eta > 0n && name === "Queued"
          ? `eta ${formatRelative(eta - now)}`
          : deadline > now
            ? `closes ${formatRelative(deadline - now)}`
            : `closed ${formatRelative(deadline - now)}`;
      const fmt = (value: bigint) => formatAmount(value, sys.decimals, { maxDecimals: DISPLAY_DECIMALS });
      return [
        `#${index}`,
        name,
        `for ${fmt(forVotes)}`,
        `against ${fmt(against)}`,
        `abstain ${fmt(abstain)}`,
        when,
        id.toString(),
      ];
    }),
  );
  console.log(`${count} proposal${count === 1n ? "" : "s"} (newest first, amounts in ${sys.symbol})`);
  for (const line of columns(rows)) console.log(line);
});
