/**
 * `hardhat gov propose <file>`: creates a proposal from a proposal file (docs/proposals.md).
 * Before proposing, each action is dry-run as the timelock (an eth_call from its address), so
 * an action that would fail at execution is refused now rather than after a week of voting.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { id as keccakText } from "ethers";

import { describeError } from "../../src/sdk/describeRevert.js";
import { encodeProposal, parseProposalFile, ProposalFileError } from "../../src/sdk/proposals.js";
import { command, CommandError } from "../lib/command.js";
import { connectSystem } from "../lib/connect.js";
import type { GovOptions } from "../lib/connect.js";
import { describeReceipt, send } from "../lib/proposals.js";
import { formatTime } from "../lib/units.js";

interface ProposeArgs extends GovOptions {
  file: string;
  skipSimulation: boolean;
}

export default command<ProposeArgs>(async (args, hre) => {
  const name = path.relative(process.cwd(), args.file) || args.file;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(args.file, "utf8"));
  } catch (error) {
    throw new CommandError(`cannot read ${name}: ${(error as Error).message.split("\n")[0]}`);
  }
  let proposal;
  try {
    proposal = parseProposalFile(json, name);
  } catch (error) {
    if (error instanceof ProposalFileError) throw new CommandError(error.message);
    throw error;
  }

  const sys = await connectSystem(hre, args);
  const needsPolicy = proposal.actions.some((action) => action.type === "setEmissionPolicy");
  const policy = needsPolicy ? await sys.emission.policy() : undefined;
  let encoded;
  try {
    encoded = encodeProposal({
      proposal,
      addresses: sys.addresses,
      decimals: sys.decimals,
      symbol: sys.symbol,
      currentPolicy: policy && {
        epochLength: policy.epochLength,
        maxBudgetStepBps: policy.maxBudgetStepBps,
        annualInflationBps: policy.annualInflationBps,
        recycleBps: policy.recycleBps,
        maxScaleStepBps: policy.maxScaleStepBps,
        minRewardScale: policy.minRewardScale,
        budgetFloor: policy.budgetFloor,
        budgetMax: policy.budgetMax,
      },
    });
  } catch (error) {
    if (error instanceof ProposalFileError) throw new CommandError(error.message);
    throw error;
  }

  if (!args.skipSimulation) {
    for (const [i, target] of encoded.targets.entries()) {
      try {
        await sys.ethers.provider.call({
          from: sys.addresses.timelock,
          to: target,
          data: encoded.calldatas[i],
          value: encoded.values[i],
        });
      } catch (error) {
        throw new CommandError(
          `action ${i + 1} (${encoded.summaries[i]}) would fail if executed now: ` +
            `${describeError(error, { formatAmount: sys.amount })} (--skip-simulation proposes it anyway)`,
        );
      }
    }
  }

  const signer = await sys.signer();
  const receipt = await send(sys, () =>
    sys.governor.connect(signer).propose(encoded.targets, encoded.values, encoded.calldatas, encoded.description),
  );
  const proposalId = await sys.governor.hashProposal(
    encoded.targets,
    encoded.values,
    encoded.calldatas,
    keccakText(encoded.description),
  );
  const [snapshot, deadline, now] = await Promise.all([
    sys.governor.proposalSnapshot(proposalId),
    sys.governor.proposalDeadline(proposalId),
    sys.now(),
  ]);
  console.log(`proposal ${proposalId}`);
  console.log(`proposed by ${signer.address} from ${name}:`);
  for (const summary of encoded.summaries) console.log(`  - ${summary}`);
  console.log(`voting opens after ${formatTime(snapshot, now)}`);
  console.log(`voting closes at    ${formatTime(deadline, now)}`);
  console.log(describeReceipt(receipt));
});
