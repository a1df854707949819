/**
 * The project's Hardhat tasks: `deploy` (pre-deploy checks, then the Ignition module). Tasks get `--network`, the keystore's accounts and the artifacts from
 * Hardhat; each action lives in its own file, loaded only when the task runs.
 */
import { task } from "hardhat/config";
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
