/**
 * The project's Hardhat tasks: `deploy` (pre-deploy checks, then the Ignition module) and the
 * `gov` commands. Tasks get `--network`, the keystore's accounts and the artifacts from
 * Hardhat; each action lives in its own file, loaded only when the task runs.
 */
import { emptyTask, task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

export const deployTasks = [
  task("deploy", "Check the network and the parameter file, then deploy the system with Ignition")
    .addOption({
      name: "parameters",
      description: "The Ignition parameter file (default: ignition/parameters/<network>.json)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "deploymentId",
      description: "The Ignition deployment id (default: chain-<chainId>)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addFlag({ name: "checkOnly", description: "Run the pre-deploy checks and stop" })
    .addFlag({ name: "verify", description: "Verify the contracts on the configured explorers afterwards" })
    .addFlag({ name: "yes", description: "Do not ask for confirmation before deploying to a public chain" })
    .setAction(() => import("./deploy.js"))
    .build(),
];

/** The options every `gov` command takes: the sender and where the addresses come from. */
function govTask(name: string, description: string) {
  return task(["gov", name], description)
    .addOption({
      name: "from",
      description: "The sending account: an address or an index into the network's accounts (default: 0)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "deploymentId",
      description: "The Ignition deployment to read addresses from (default: chain-<chainId>)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "governor",
      description: "Use this governor (and its token and timelock) instead of the deployment's",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .addOption({
      name: "rewards",
      description: "Use this ContributionRewards (and its emission controller) instead of the deployment's",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    });
}

const proposalId = { name: "id", description: 'The proposal id (decimal or 0x hex), or "latest"' } as const;

export const govTasks = [
  emptyTask("gov", "Governance and token commands for the deployed system").build(),
  govTask("delegate", "Delegate your votes (to yourself by default: tokens vote only once delegated)")
    .addOption({
      name: "to",
      description: "The delegatee (default: the sender)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./gov/delegate.js"))
    .build(),
  govTask("propose", "Create a proposal from a proposal file (docs/proposals.md)")
    .addPositionalArgument({ name: "file", description: "The proposal file (JSON)", type: ArgumentType.FILE })
    .addFlag({
      name: "skipSimulation",
      description: "Do not dry-run the actions as the timelock before proposing",
    })
    .setAction(() => import("./gov/propose.js"))
    .build(),
  govTask("vote", "Vote on an active proposal")
    .addPositionalArgument(proposalId)
    .addPositionalArgument({ name: "support", description: "for, against or abstain" })
    .addOption({
      name: "reason",
      description: "A reason, recorded on-chain with the vote",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./gov/vote.js"))
    .build(),
  govTask("queue", "Queue a succeeded proposal in the timelock")
    .addPositionalArgument(proposalId)
    .setAction(() => import("./gov/queue.js"))
    .build(),
  govTask("execute", "Execute a queued proposal once the timelock delay has passed")
    .addPositionalArgument(proposalId)
    .setAction(() => import("./gov/execute.js"))
    .build(),
  govTask("status", "Show a proposal: state, votes, quorum, times and actions")
    .addPositionalArgument({ ...proposalId, defaultValue: "latest" })
    .setAction(() => import("./gov/status.js"))
    .build(),
  govTask("list", "List proposals, newest first")
    .addOption({ name: "limit", description: "How many", type: ArgumentType.INT, defaultValue: 20 })
    .setAction(() => import("./gov/list.js"))
    .build(),
  govTask("balance", "Show an account's balance, votes and delegate")
    .addOption({
      name: "account",
      description: "The account (default: the sender)",
      type: ArgumentType.STRING_WITHOUT_DEFAULT,
      defaultValue: undefined,
    })
    .setAction(() => import("./gov/balance.js"))
    .build(),
  govTask("transfer", "Send tokens")
    .addPositionalArgument({ name: "to", description: "The recipient" })
    .addPositionalArgument({ name: "amount", description: 'Whole tokens: "1000", "0.5"' })
    .setAction(() => import("./gov/transfer.js"))
    .build(),
  govTask("categories", "Show the contribution categories: base rewards, reserves, what is available now")
    .setAction(() => import("./gov/categories.js"))
    .build(),
  govTask("epoch", "Show the current emission epoch: budget, limit, minted, demand, reward scale")
    .setAction(() => import("./gov/epoch.js"))
    .build(),
];
