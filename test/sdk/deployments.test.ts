import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  DEPLOYMENT_FUTURES,
  DeploymentIncompleteError,
  DeploymentInvalidError,
  DeploymentNotFoundError,
  defaultDeploymentId,
  listDeployments,
  loadDeployment,
  parseDeployedAddresses,
} from "../../src/sdk/deployments.js";

/** deployed_addresses.json as Ignition writes it for CreditSystemModule (chain 31337 addresses). */
const DEPLOYED = {
  "CreditGovernanceModule#TimelockController": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  "CreditGovernanceModule#CreditToken": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  "CreditGovernanceModule#CreditGovernor": "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  "CreditRewardsModule#EmissionController": "0x0165878A594ca255338adfa4d48449f69242Eb8F",
  "CreditRewardsModule#ContributionRewards": "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853",
  "CreditCreditsModule#CreditSpender": "0xB7f8BC63BbcaD18155201308C8f3540b07f84F5e",
  "CreditCreditsModule#RedemptionVault": "0xA51c1fc2f0D1a1b8494Ed1FE312d7C3a78Ed91C0",
};

describe("deployed addresses (src/sdk/deployments.ts)", function () {
  let dir: string;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "deployments-"));
    await mkdir(path.join(dir, "chain-31337"));
    await writeFile(path.join(dir, "chain-31337", "deployed_addresses.json"), JSON.stringify(DEPLOYED));
    await mkdir(path.join(dir, "broken"));
    await writeFile(path.join(dir, "broken", "deployed_addresses.json"), "{ not json");
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("maps Ignition future ids to named, checksummed addresses", function () {
    const lower = Object.fromEntries(Object.entries(DEPLOYED).map(([k, v]) => [k, v.toLowerCase()]));
    expect(
      parseDeployedAddresses({ ...lower, "OtherModule#Other": "0x0000000000000000000000000000000000000001" }),
    ).to.deep.equal({
      token: DEPLOYED["CreditGovernanceModule#CreditToken"],
      timelock: DEPLOYED["CreditGovernanceModule#TimelockController"],
      governor: DEPLOYED["CreditGovernanceModule#CreditGovernor"],
      emission: DEPLOYED["CreditRewardsModule#EmissionController"],
      rewards: DEPLOYED["CreditRewardsModule#ContributionRewards"],
      spender: DEPLOYED["CreditCreditsModule#CreditSpender"],
      vault: DEPLOYED["CreditCreditsModule#RedemptionVault"],
    });
    expect(Object.values(DEPLOYMENT_FUTURES).sort()).to.deep.equal(Object.keys(DEPLOYED).sort());
  });

  it("names what is wrong: not a map of addresses, or contracts missing", function () {
    expect(() => parseDeployedAddresses(["0x12"])).to.throw(
      DeploymentInvalidError,
      "is not a map of Ignition future ids",
    );
    expect(() =>
      parseDeployedAddresses({ ...DEPLOYED, "CreditGovernanceModule#CreditToken": "0x12" }, "the file"),
    ).to.throw(DeploymentInvalidError, "CreditGovernanceModule#CreditToken: not an address");
    const partial = Object.fromEntries(
      Object.entries(DEPLOYED).filter(([future]) => future !== "CreditRewardsModule#ContributionRewards"),
    );
    expect(() => parseDeployedAddresses(partial, "the file")).to.throw(
      DeploymentIncompleteError,
      "the file has no CreditRewardsModule#ContributionRewards",
    );
  });

  it("loads the deployment of a chain by Ignition's default id", async function () {
    expect(defaultDeploymentId(31337n)).to.equal("chain-31337");
    const { deploymentId, addresses, file } = await loadDeployment({ chainId: 31337, deploymentsDir: dir });
    expect(deploymentId).to.equal("chain-31337");
    expect(file).to.equal(path.join(dir, "chain-31337", "deployed_addresses.json"));
    expect(addresses.governor).to.equal(DEPLOYED["CreditGovernanceModule#CreditGovernor"]);
  });

  it("says which deployments exist when the one asked for does not", async function () {
    expect(await listDeployments(dir)).to.deep.equal(["broken", "chain-31337"]);
    const error = await loadDeployment({ chainId: 11155111, deploymentsDir: dir }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DeploymentNotFoundError);
    expect((error as DeploymentNotFoundError).shortMessage).to.match(/^no deployment "chain-11155111"/);
    expect((error as DeploymentNotFoundError).metaMessages).to.deep.equal(["Deployments here: broken, chain-31337."]);
    const broken = await loadDeployment({ deploymentId: "broken", deploymentsDir: dir }).catch((e: unknown) => e);
    expect(broken).to.be.instanceOf(DeploymentInvalidError);
    expect((broken as Error).message).to.match(/is not valid JSON/);
    expect(await listDeployments(path.join(dir, "nowhere"))).to.deep.equal([]);
  });
});
