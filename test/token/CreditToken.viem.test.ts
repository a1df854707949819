import { expect } from "chai";
import { network } from "hardhat";
import { parseSignature } from "viem";

import { creditTokenDomain, permitTypes } from "../../src/sdk/eip712.js";

// The oracle and the SDK use viem: this suite checks that the shared EIP-712 table signs permits
// the token accepts when used from viem, as the ethers suites check it from ethers.
const { viem, networkHelpers } = await network.create();

const CAP = 1_000_000n * 10n ** 18n;

async function deployWithViem() {
  const [admin, holder, spender] = await viem.getWalletClients();
  if (!admin || !holder || !spender) throw new Error("need 3 wallet clients");
  const token = await viem.deployContract("CreditToken", [
    "Contribution Credit",
    "CRED",
    CAP,
    admin.account.address,
    admin.account.address,
    0n,
    [holder.account.address],
    [1_000n],
  ]);
  const publicClient = await viem.getPublicClient();
  return { token, admin, holder, spender, publicClient };
}

describe("CreditToken from viem", function () {
  it("accepts a permit signed with viem from the shared EIP-712 table", async function () {
    const { token, holder, spender, publicClient } = await networkHelpers.loadFixture(deployWithViem);
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const domain = creditTokenDomain({
      name: await token.read.name(),
      chainId: BigInt(await publicClient.getChainId()),
      token: token.address,
    });
    const message = {
      owner: holder.account.address,
      spender: spender.account.address,
      value: 500n,
      nonce: await token.read.nonces([holder.account.address]),
      deadline,
    };
    const signature = await holder.signTypedData({ domain, types: permitTypes, primaryType: "Permit", message });
    const { v, r, s } = parseSignature(signature);
    if (v === undefined) throw new Error("expected a legacy v");
    await token.write.permit([message.owner, message.spender, message.value, deadline, Number(v), r, s], {
      account: spender.account,
    });
    expect(await token.read.allowance([message.owner, message.spender])).to.equal(500n);
  });

  it("reads votes and the clock through viem", async function () {
    const { token, holder } = await networkHelpers.loadFixture(deployWithViem);
    await token.write.delegate([holder.account.address], { account: holder.account });
    expect(await token.read.getVotes([holder.account.address])).to.equal(1_000n);
    expect(await token.read.CLOCK_MODE()).to.equal("mode=timestamp");
  });
});
