/**
 * `npm start`: deploys the whole system with its local Ignition module (the system plus a test
 * stablecoin) to Hardhat's in-process network, using the local parameter file, and prints what
 * was deployed.
 *
 * Placeholder for the local stack (a JSON-RPC node, the oracle and a live scenario), which
 * replaces it in a later issue.
 */
import path from "node:path";

import { formatUnits } from "ethers";
import { network } from "hardhat";

import LocalCreditSystemModule from "../ignition/modules/LocalCreditSystem.js";

const PARAMETERS = path.resolve("ignition", "parameters", "localhost.json");

const { ethers, ignition } = await network.create();
const deployed = await ignition.deploy(LocalCreditSystemModule, { parameters: PARAMETERS, displayUi: false });

const token = await ethers.getContractAt("CreditToken", await deployed.token.getAddress());
const timelock = await ethers.getContractAt("TimelockController", await deployed.timelock.getAddress());
const governor = await ethers.getContractAt("CreditGovernor", await deployed.governor.getAddress());
const spender = await ethers.getContractAt("CreditSpender", await deployed.spender.getAddress());
const vault = await ethers.getContractAt("RedemptionVault", await deployed.vault.getAddress());
const stablecoin = await ethers.getContractAt("TestStablecoin", await deployed.stablecoin.getAddress());
const symbol = await token.symbol();
const decimals = await token.decimals();
const amount = (value: bigint) => `${formatUnits(value, decimals)} ${symbol}`;
const { chainId } = await ethers.provider.getNetwork();

console.log(`Credit economy deployed to the in-process network (chain id ${chainId})`);
console.log("");
console.log(`  CreditToken         ${await token.getAddress()}`);
console.log(`  TimelockController  ${await timelock.getAddress()}   (treasury, admin of everything)`);
console.log(`  CreditGovernor      ${await governor.getAddress()}`);
console.log(`  CreditSpender       ${await spender.getAddress()}`);
console.log(`  RedemptionVault     ${await vault.getAddress()}`);
console.log(`  TestStablecoin      ${await stablecoin.getAddress()}   (local stand-in for USDC)`);
console.log("");
console.log(`  supply              ${amount(await token.totalSupply())} of a cap of ${amount(await token.cap())}`);
console.log(`  treasury            ${amount(await token.balanceOf(await timelock.getAddress()))}`);
console.log(`  voting delay        ${await governor.votingDelay()} s, period ${await governor.votingPeriod()} s`);
console.log(`  quorum              ${await governor["quorumNumerator()"]()}% of supply at the snapshot`);
console.log(`  proposal threshold  ${amount(await governor.proposalThreshold())}`);
console.log(`  timelock delay      ${await timelock.getMinDelay()} s`);
console.log(`  proposal guardian   ${await governor.proposalGuardian()}`);
console.log(`  burn share          ${Number(await spender.burnShareBps()) / 100}% of every payment`);
const [usdDecimals, usdSymbol] = [await stablecoin.decimals(), await stablecoin.symbol()];
const usd = (value: bigint) => `${formatUnits(value, usdDecimals)} ${usdSymbol}`;
console.log(
  `  redemption          ${usd(await vault.rate())} per ${symbol}, vault reserves ${usd(await vault.reserves())}`,
);
console.log("");
console.log(`Parameters: ${path.relative(process.cwd(), PARAMETERS)}`);
