/**
 * `hardhat deploy --network <name> [--parameters file] [--deployment-id id] [--check-only]
 * [--verify] [--yes]`: runs the pre-deploy checks (tasks/lib/predeploy.ts) against the network,
 * then deploys CreditSystemModule with Ignition and the network's parameter file
 * (ignition/parameters/<network>.json). The module is the one every network and every test
 * uses; this task never deploys anything itself.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline/promises";

import { defaultDeploymentId } from "../src/sdk/deployments.js";
import { command, CommandError } from "./lib/command.js";
import { checkDeployment } from "./lib/predeploy.js";

interface DeployArgs {
  parameters: string | undefined;
  deploymentId: string | undefined;
  checkOnly: boolean;
  verify: boolean;
  yes: boolean;
}

/** Ignition and Hardhat's development chain id: no confirmation is asked there. */
const DEVELOPMENT_CHAIN_ID = 31337;

export default command<DeployArgs>(async (args, hre) => {
  const connection = await hre.network.create();
  const { networkName } = connection;
  const file =
    args.parameters === undefined
      ? path.join(hre.config.paths.ignition, "parameters", `${networkName}.json`)
      : path.resolve(args.parameters);
  const shown = path.relative(process.cwd(), file);
  let parameters: Record<string, unknown>;
  try {
    parameters = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new CommandError(`cannot read the parameter file ${shown}: ${(error as Error).message.split("\n")[0]}`);
  }

  const accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
  const deployer = accounts[0];
  if (deployer === undefined) {
    throw new CommandError(
      `network ${networkName} has no account to deploy from (set DEPLOYER_PRIVATE_KEY in the keystore)`,
    );
  }
  const networkConfig = hre.config.networks[networkName];
  const networkChainId = networkConfig?.chainId;

  console.log(`Pre-deploy checks for ${networkName} with ${shown}`);
  const report = await checkDeployment({ provider: connection.provider, parameters, networkChainId, deployer });
  for (const line of report.passed) console.log(`  ok    ${line}`);
  for (const line of report.problems) console.log(`  FAIL  ${line}`);
  if (report.problems.length > 0) {
    const count = report.problems.length;
    throw new CommandError(
      `refusing to deploy: ${count} pre-deploy check${count === 1 ? "" : "s"} failed (${report.problems[0]}${count > 1 ? "; see above" : ""})`,
    );
  }
  if (args.checkOnly) {
    console.log("All checks passed; not deploying (--check-only).");
    return;
  }

  if (report.chainId !== DEVELOPMENT_CHAIN_ID && !args.yes) {
    if (!process.stdin.isTTY) {
      throw new CommandError(
        `not asking for confirmation without a terminal: pass --yes to deploy to chain ${report.chainId}`,
      );
    }
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Deploy to ${networkName} (chain ${report.chainId}) from ${deployer}? [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) throw new CommandError("deployment cancelled");
  }

  // As `hardhat ignition deploy` does: the production build profile unless --build-profile says otherwise.
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true, defaultBuildProfile: "production" });
  const deploymentId = args.deploymentId ?? defaultDeploymentId(report.chainId);
  const module =
    report.module === "LocalCreditSystemModule"
      ? (await import("../ignition/modules/LocalCreditSystem.js")).default
      : (await import("../ignition/modules/CreditSystem.js")).default;
  const deployed = await connection.ignition.deploy(module, {
    parameters: file,
    deploymentId,
    displayUi: true,
  });

  console.log("");
  console.log(`Deployed to ${networkName} (chain ${report.chainId}), deployment "${deploymentId}":`);
  for (const [name, contract] of Object.entries(deployed)) {
    console.log(`  ${name.padEnd(9)} ${await contract.getAddress()}`);
  }
  console.log(
    `Addresses: ${path.relative(process.cwd(), path.join(hre.config.paths.ignition, "deployments", deploymentId, "deployed_addresses.json"))}`,
  );

  if (args.verify) {
    await hre.tasks.getTask(["ignition", "verify"]).run({ deploymentId });
  } else if (report.chainId !== DEVELOPMENT_CHAIN_ID) {
    console.log(`Verify the sources with: npx hardhat ignition verify ${deploymentId} --network ${networkName}`);
  }
});
