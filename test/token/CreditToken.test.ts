import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { MaxUint256, Signature, ZeroAddress } from "ethers";
import { network } from "hardhat";

import { creditTokenDomain, ethersTypes, permitTypes } from "../../src/sdk/eip712.js";
import type { CreditToken } from "../../types/ethers-contracts/index.js";
import { TOKEN } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const NAME = "Contribution Credit";
const SYMBOL = "CRED";
const CAP = 1_000_000n * TOKEN;
const TREASURY = 100_000n * TOKEN;
const HOLDER_GENESIS = 10_000n * TOKEN;

interface TokenFixture {
  token: CreditToken;
  admin: HardhatEthersSigner;
  minter: HardhatEthersSigner;
  holder: HardhatEthersSigner;
  other: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  chainId: bigint;
}

/** A token whose admin is a plain account standing in for the timelock, with a granted minter. */
async function deployToken(): Promise<TokenFixture> {
  const [deployer, admin, minter, holder, other, outsider] = await ethers.getSigners();
  if (!deployer || !admin || !minter || !holder || !other || !outsider) throw new Error("need 6 accounts");
  const token = await ethers.deployContract("CreditToken", [
    NAME,
    SYMBOL,
    CAP,
    admin.address,
    admin.address, // the treasury: the admin stands in for the timelock here
    TREASURY,
    [holder.address],
    [HOLDER_GENESIS],
  ]);
  await token.connect(admin).grantRole(await token.MINTER_ROLE(), minter.address);
  const { chainId } = await ethers.provider.getNetwork();
  return { token, admin, minter, holder, other, outsider, chainId };
}

async function signPermit(
  fx: TokenFixture,
  signer: HardhatEthersSigner,
  message: { owner: string; spender: string; value: bigint; nonce: bigint; deadline: bigint },
) {
  const domain = creditTokenDomain({
    name: NAME,
    chainId: fx.chainId,
    token: (await fx.token.getAddress()) as `0x${string}`,
  });
  return Signature.from(await signer.signTypedData(domain, ethersTypes(permitTypes), message));
}

describe("CreditToken", function () {
  describe("deployment", function () {
    it("sets metadata, cap, genesis allocations and the admin", async function () {
      const { token, admin, holder } = await networkHelpers.loadFixture(deployToken);
      expect(await token.name()).to.equal(NAME);
      expect(await token.symbol()).to.equal(SYMBOL);
      expect(await token.decimals()).to.equal(18n);
      expect(await token.cap()).to.equal(CAP);
      expect(await token.totalSupply()).to.equal(TREASURY + HOLDER_GENESIS);
      expect(await token.balanceOf(admin.address)).to.equal(TREASURY);
      expect(await token.balanceOf(holder.address)).to.equal(HOLDER_GENESIS);
      expect(await token.hasRole(await token.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
    });

    it("gives the deployer no role", async function () {
      const { token } = await networkHelpers.loadFixture(deployToken);
      const [deployer] = await ethers.getSigners();
      expect(await token.hasRole(await token.DEFAULT_ADMIN_ROLE(), deployer!.address)).to.equal(false);
      expect(await token.hasRole(await token.MINTER_ROLE(), deployer!.address)).to.equal(false);
    });

    it("rejects genesis allocations above the cap with the numbers", async function () {
      const [, admin, holder] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("CreditToken");
      await expect(
        ethers.deployContract("CreditToken", [
          NAME,
          SYMBOL,
          CAP,
          admin!.address,
          admin!.address,
          CAP,
          [holder!.address],
          [1n],
        ]),
      )
        .to.be.revertedWithCustomError(factory, "ERC20ExceededCap")
        .withArgs(CAP + 1n, CAP);
    });

    it("accepts genesis allocations that sum exactly to the cap", async function () {
      const [, admin, holder] = await ethers.getSigners();
      const token = await ethers.deployContract("CreditToken", [
        NAME,
        SYMBOL,
        CAP,
        admin!.address,
        admin!.address,
        CAP - 5n,
        [holder!.address],
        [5n],
      ]);
      expect(await token.totalSupply()).to.equal(CAP);
    });

    it("rejects mismatched genesis arrays, a zero admin, a zero cap and a cap above the votes limit", async function () {
      const [, admin, holder] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("CreditToken");
      await expect(
        ethers.deployContract("CreditToken", [
          NAME,
          SYMBOL,
          CAP,
          admin!.address,
          admin!.address,
          0n,
          [holder!.address],
          [],
        ]),
      )
        .to.be.revertedWithCustomError(factory, "CreditTokenGenesisLengthMismatch")
        .withArgs(1n, 0n);
      await expect(ethers.deployContract("CreditToken", [NAME, SYMBOL, CAP, ZeroAddress, ZeroAddress, 0n, [], []]))
        .to.be.revertedWithCustomError(factory, "CreditTokenInvalidAdmin")
        .withArgs(ZeroAddress);
      await expect(ethers.deployContract("CreditToken", [NAME, SYMBOL, 0n, admin!.address, admin!.address, 0n, [], []]))
        .to.be.revertedWithCustomError(factory, "ERC20InvalidCap")
        .withArgs(0n);
      const votesLimit = 2n ** 208n - 1n;
      await expect(
        ethers.deployContract("CreditToken", [
          NAME,
          SYMBOL,
          votesLimit + 1n,
          admin!.address,
          admin!.address,
          0n,
          [],
          [],
        ]),
      )
        .to.be.revertedWithCustomError(factory, "CreditTokenCapAboveVotesLimit")
        .withArgs(votesLimit + 1n, votesLimit);
    });
  });

  describe("ERC-20 transfers and allowances", function () {
    it("transfers between holders and emits Transfer", async function () {
      const { token, holder, other } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(holder).transfer(other.address, 7n * TOKEN))
        .to.emit(token, "Transfer")
        .withArgs(holder.address, other.address, 7n * TOKEN);
      expect(await token.balanceOf(holder.address)).to.equal(HOLDER_GENESIS - 7n * TOKEN);
      expect(await token.balanceOf(other.address)).to.equal(7n * TOKEN);
    });

    it("transfers zero tokens", async function () {
      const { token, holder, other } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(holder).transfer(other.address, 0n)).to.changeTokenBalances(
        ethers,
        token,
        [holder, other],
        [0n, 0n],
      );
    });

    it("rejects a transfer above the balance, with balance and amount", async function () {
      const { token, holder, other } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(holder).transfer(other.address, HOLDER_GENESIS + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(holder.address, HOLDER_GENESIS, HOLDER_GENESIS + 1n);
    });

    it("rejects a transfer to the zero address", async function () {
      const { token, holder } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(holder).transfer(ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ZeroAddress);
    });

    it("approves, spends the allowance in transferFrom, and emits Approval", async function () {
      const { token, holder, other, outsider } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(holder).approve(other.address, 5n * TOKEN))
        .to.emit(token, "Approval")
        .withArgs(holder.address, other.address, 5n * TOKEN);
      await token.connect(other).transferFrom(holder.address, outsider.address, 2n * TOKEN);
      expect(await token.allowance(holder.address, other.address)).to.equal(3n * TOKEN);
      expect(await token.balanceOf(outsider.address)).to.equal(2n * TOKEN);
    });

    it("rejects transferFrom above the allowance, with allowance and amount", async function () {
      const { token, holder, other } = await networkHelpers.loadFixture(deployToken);
      await token.connect(holder).approve(other.address, 5n);
      await expect(token.connect(other).transferFrom(holder.address, other.address, 6n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(other.address, 5n, 6n);
    });

    it("does not decrease an infinite allowance", async function () {
      const { token, holder, other } = await networkHelpers.loadFixture(deployToken);
      await token.connect(holder).approve(other.address, MaxUint256);
      await token.connect(other).transferFrom(holder.address, other.address, TOKEN);
      expect(await token.allowance(holder.address, other.address)).to.equal(MaxUint256);
    });

    it("rejects approving the zero address", async function () {
      const { token, holder } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(holder).approve(ZeroAddress, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSpender")
        .withArgs(ZeroAddress);
    });
  });

  describe("permit (ERC-2612)", function () {
    it("sets the allowance from a valid signature and bumps the nonce", async function () {
      const fx = await networkHelpers.loadFixture(deployToken);
      const { token, holder, other } = fx;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const message = { owner: holder.address, spender: other.address, value: 42n, nonce: 0n, deadline };
      const sig = await signPermit(fx, holder, message);
      await expect(token.connect(other).permit(holder.address, other.address, 42n, deadline, sig.v, sig.r, sig.s))
        .to.emit(token, "Approval")
        .withArgs(holder.address, other.address, 42n);
      expect(await token.allowance(holder.address, other.address)).to.equal(42n);
      expect(await token.nonces(holder.address)).to.equal(1n);
    });

    it("rejects an expired permit", async function () {
      const fx = await networkHelpers.loadFixture(deployToken);
      const { token, holder, other } = fx;
      const deadline = BigInt(await networkHelpers.time.latest()) + 60n;
      const sig = await signPermit(fx, holder, {
        owner: holder.address,
        spender: other.address,
        value: 1n,
        nonce: 0n,
        deadline,
      });
      await networkHelpers.time.increaseTo(deadline + 1n);
      await expect(token.permit(holder.address, other.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
      expect(await token.nonces(holder.address)).to.equal(0n);
    });

    it("rejects a replayed permit", async function () {
      const fx = await networkHelpers.loadFixture(deployToken);
      const { token, holder, other } = fx;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const sig = await signPermit(fx, holder, {
        owner: holder.address,
        spender: other.address,
        value: 1n,
        nonce: 0n,
        deadline,
      });
      await token.permit(holder.address, other.address, 1n, deadline, sig.v, sig.r, sig.s);
      // The nonce moved on, so the same signature now recovers to some other address.
      await expect(
        token.permit(holder.address, other.address, 1n, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(token, "ERC2612InvalidSigner");
      expect(await token.nonces(holder.address)).to.equal(1n);
    });

    it("rejects a permit signed by someone other than the owner", async function () {
      const fx = await networkHelpers.loadFixture(deployToken);
      const { token, holder, other, outsider } = fx;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const sig = await signPermit(fx, outsider, {
        owner: holder.address,
        spender: other.address,
        value: 1n,
        nonce: 0n,
        deadline,
      });
      await expect(token.permit(holder.address, other.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(outsider.address, holder.address);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
    });

    it("exposes the EIP-712 domain the SDK computes", async function () {
      const fx = await networkHelpers.loadFixture(deployToken);
      const domain = await fx.token.eip712Domain();
      const expected = creditTokenDomain({
        name: NAME,
        chainId: fx.chainId,
        token: (await fx.token.getAddress()) as `0x${string}`,
      });
      expect(domain.name).to.equal(expected.name);
      expect(domain.version).to.equal(expected.version);
      expect(domain.chainId).to.equal(expected.chainId);
      expect(domain.verifyingContract).to.equal(expected.verifyingContract);
    });
  });

  describe("minting and the cap", function () {
    it("lets the minter mint, emitting Transfer from zero", async function () {
      const { token, minter, other } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(minter).mint(other.address, 3n * TOKEN))
        .to.emit(token, "Transfer")
        .withArgs(ZeroAddress, other.address, 3n * TOKEN);
      expect(await token.totalSupply()).to.equal(TREASURY + HOLDER_GENESIS + 3n * TOKEN);
    });

    it("mints exactly up to the cap and reverts one unit past it, with the numbers", async function () {
      const { token, minter, other } = await networkHelpers.loadFixture(deployToken);
      const room = CAP - (await token.totalSupply());
      await token.connect(minter).mint(other.address, room);
      expect(await token.totalSupply()).to.equal(CAP);
      await expect(token.connect(minter).mint(other.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC20ExceededCap")
        .withArgs(CAP + 1n, CAP);
    });

    it("lets the cap room come back after a burn", async function () {
      const { token, minter, holder, other } = await networkHelpers.loadFixture(deployToken);
      await token.connect(minter).mint(other.address, CAP - (await token.totalSupply()));
      await token.connect(holder).burn(TOKEN);
      await token.connect(minter).mint(other.address, TOKEN);
      expect(await token.totalSupply()).to.equal(CAP);
    });

    it("rejects mint from an outsider, naming the account and MINTER_ROLE", async function () {
      const { token, outsider } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(outsider).mint(outsider.address, 1n))
        .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await token.MINTER_ROLE());
    });

    it("rejects mint from the admin, who is not a minter", async function () {
      const { token, admin } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(admin).mint(admin.address, 1n))
        .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, await token.MINTER_ROLE());
    });

    it("rejects role grants from an outsider", async function () {
      const { token, outsider } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(outsider).grantRole(await token.MINTER_ROLE(), outsider.address))
        .to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await token.DEFAULT_ADMIN_ROLE());
    });

    it("stops a revoked minter", async function () {
      const { token, admin, minter } = await networkHelpers.loadFixture(deployToken);
      await token.connect(admin).revokeRole(await token.MINTER_ROLE(), minter.address);
      await expect(token.connect(minter).mint(minter.address, 1n)).to.be.revertedWithCustomError(
        token,
        "AccessControlUnauthorizedAccount",
      );
    });
  });

  describe("burning", function () {
    it("burns the caller's tokens and lowers the supply", async function () {
      const { token, holder } = await networkHelpers.loadFixture(deployToken);
      const supply = await token.totalSupply();
      await expect(token.connect(holder).burn(4n * TOKEN))
        .to.emit(token, "Transfer")
        .withArgs(holder.address, ZeroAddress, 4n * TOKEN);
      expect(await token.totalSupply()).to.equal(supply - 4n * TOKEN);
      expect(await token.balanceOf(holder.address)).to.equal(HOLDER_GENESIS - 4n * TOKEN);
    });

    it("rejects burning more than the balance", async function () {
      const { token, holder } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(holder).burn(HOLDER_GENESIS + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(holder.address, HOLDER_GENESIS, HOLDER_GENESIS + 1n);
    });

    it("burnFrom spends the allowance", async function () {
      const { token, holder, other } = await networkHelpers.loadFixture(deployToken);
      await token.connect(holder).approve(other.address, 10n * TOKEN);
      await token.connect(other).burnFrom(holder.address, 4n * TOKEN);
      expect(await token.allowance(holder.address, other.address)).to.equal(6n * TOKEN);
      expect(await token.balanceOf(holder.address)).to.equal(HOLDER_GENESIS - 4n * TOKEN);
    });

    it("rejects burnFrom without enough allowance", async function () {
      const { token, holder, other } = await networkHelpers.loadFixture(deployToken);
      await expect(token.connect(other).burnFrom(holder.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(other.address, 0n, 1n);
    });

    it("burning lowers the delegate's votes", async function () {
      const { token, holder } = await networkHelpers.loadFixture(deployToken);
      await token.connect(holder).delegate(holder.address);
      await token.connect(holder).burn(TOKEN);
      expect(await token.getVotes(holder.address)).to.equal(HOLDER_GENESIS - TOKEN);
    });
  });

  describe("interfaces", function () {
    it("supports ERC-165 for IAccessControl", async function () {
      const { token } = await networkHelpers.loadFixture(deployToken);
      expect(await token.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      expect(await token.supportsInterface("0x01ffc9a7")).to.equal(true); // IERC165
      expect(await token.supportsInterface("0xffffffff")).to.equal(false);
    });
  });
});
