import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

const run = promisify(execFile);

describe("npm start (scripts/start.ts)", function () {
  it("deploys the local system to the in-process network and prints the addresses", async function () {
    const hardhat = path.resolve("node_modules", ".bin", "hardhat");
    const { stdout } = await run(hardhat, ["run", "scripts/start.ts"], { timeout: 120_000 });
    expect(stdout).to.match(/CreditToken\s+0x[0-9a-fA-F]{40}/);
    expect(stdout).to.match(/TimelockController\s+0x[0-9a-fA-F]{40}/);
    expect(stdout).to.match(/CreditGovernor\s+0x[0-9a-fA-F]{40}/);
    expect(stdout).to.match(/CreditSpender\s+0x[0-9a-fA-F]{40}/);
    expect(stdout).to.match(/RedemptionVault\s+0x[0-9a-fA-F]{40}/);
    expect(stdout).to.contain("redemption          0.01 tUSD per CRED, vault reserves 100000.0 tUSD");
    expect(stdout).to.contain("supply              401000000.0 CRED of a cap of 1000000000.0 CRED");
  });
});
