import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";
import type { Address, Hex } from "viem";
import { createPublicClient, custom, getAddress, keccak256 } from "viem";

import LocalCreditSystemModule from "../../ignition/modules/LocalCreditSystem.js";
import { readGatewayConfig } from "../../scripts/gateway/config.js";
import { accessMessage, createGatewayServer, MAX_ACCESS_TTL_SECONDS } from "../../scripts/gateway/server.js";
import { createEntitlements } from "../../src/sdk/entitlements.js";
import type { Entitlements } from "../../src/sdk/entitlements.js";
import { TierId } from "../../src/sdk/tiers.js";
import { deployGovernedSystem, TOKEN } from "../helpers/fixtures.js";
import type { GovernedSystem } from "../helpers/fixtures.js";
import { freeLoopbackPort, startHardhatNode } from "../helpers/hardhat-node.js";
import type { HardhatNode } from "../helpers/hardhat-node.js";

const connection = await network.create();
const { networkHelpers } = connection;
const PRICE = 2n * TOKEN;

interface PaymentRequired {
  reason: string;
  price: string;
  paidSoFar: string;
  spender: string;
  chainId: number;
  usageSecret: Hex;
  usageRef: Hex;
}

interface Gateway {
  sys: GovernedSystem;
  server: FastifyInstance;
  url: string;
  spender: Address;
  chainId: number;
}

let running: FastifyInstance | undefined;

async function startGateway(entitlementsOverride?: Entitlements): Promise<Gateway> {
  const sys = await networkHelpers.loadFixture(deployGovernedSystem);
  const client = createPublicClient({ transport: custom(connection.provider) });
  const spender = getAddress(await sys.spender.getAddress());
  const chainId = await client.getChainId();
  // missMaxAgeMs 0: a request sent right after a payment sees it (the default bound is 1 s).
  const entitlements = entitlementsOverride ?? createEntitlements({ client, spender, missMaxAgeMs: 0 });
  const server = createGatewayServer({
    entitlements,
    price: PRICE,
    spender,
    chainId,
    verifyMessage: (parameters) => client.verifyMessage(parameters),
  });
  running = server;
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  return { sys, server, url, spender, chainId };
}

async function complete(url: string, headers: Record<string, string> = {}, body: unknown = { prompt: "hello" }) {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function premiumHeaders(
  gateway: Gateway,
  signer: HardhatEthersSigner,
  expires = Math.floor(Date.now() / 1000) + 600,
  account = signer.address,
): Promise<Record<string, string>> {
  const message = accessMessage({
    account: getAddress(account),
    expires,
    spender: gateway.spender,
    chainId: gateway.chainId,
  });
  return {
    "x-credit-address": account,
    "x-credit-expires": String(expires),
    "x-credit-signature": await signer.signMessage(message),
  };
}

describe("example gateway (scripts/gateway)", function () {
  afterEach(async function () {
    await running?.close();
    running = undefined;
  });

  it("answers 402 with how to pay, then 200 once the usage reference is paid, and only once", async function () {
    const gateway = await startGateway();
    const { sys, url } = gateway;
    const first = await complete(url);
    expect(first.status).to.equal(402);
    const quote = first.body as unknown as PaymentRequired;
    expect(quote).to.include({ price: PRICE.toString(), spender: gateway.spender, chainId: gateway.chainId });
    expect(quote.usageRef).to.equal(keccak256(quote.usageSecret));

    await sys.token.connect(sys.eve).approve(gateway.spender, MaxUint256);
    await sys.spender.connect(sys.eve).spend(PRICE, quote.usageRef);
    const paid = await complete(url, { "x-usage-secret": quote.usageSecret });
    expect(paid.status).to.equal(200);
    expect(paid.body).to.include({ completion: "echo: hello", paidBy: "usage", usageRef: quote.usageRef });
    expect(paid.body.payer).to.equal(getAddress(sys.eve.address));

    const again = await complete(url, { "x-usage-secret": quote.usageSecret });
    expect(again.status).to.equal(402);
    expect(again.body.reason).to.equal("this payment was already used");
  });

  it("answers 402 while the payment is short, with what was paid so far", async function () {
    const gateway = await startGateway();
    const { sys, url } = gateway;
    const quote = (await complete(url)).body as unknown as PaymentRequired;
    await sys.token.connect(sys.eve).approve(gateway.spender, MaxUint256);
    await sys.spender.connect(sys.eve).spend(PRICE - 1n, quote.usageRef);
    const short = await complete(url, { "x-usage-secret": quote.usageSecret });
    expect(short.status).to.equal(402);
    expect(short.body).to.include({ reason: "not paid (yet)", paidSoFar: (PRICE - 1n).toString() });
    await sys.spender.connect(sys.eve).spend(1n, quote.usageRef); // topped up
    expect((await complete(url, { "x-usage-secret": quote.usageSecret })).status).to.equal(200);
  });

  it("serves a premium holder who proves control of the account, without a payment", async function () {
    const gateway = await startGateway();
    const { sys, url } = gateway;
    await sys.token.connect(sys.eve).approve(gateway.spender, MaxUint256);
    await sys.spender.connect(sys.eve).buyPremium(TierId.plus, 1n, MaxUint256);
    const response = await complete(url, await premiumHeaders(gateway, sys.eve));
    expect(response.status).to.equal(200);
    expect(response.body).to.include({ paidBy: "premium", tier: TierId.plus });
  });

  it("answers 402 to a proven account without premium", async function () {
    const gateway = await startGateway();
    const response = await complete(gateway.url, await premiumHeaders(gateway, gateway.sys.dave));
    expect(response.status).to.equal(402);
    expect(response.body.reason).to.equal("no active premium for this account");
  });

  it("answers 401 to a premium claim signed by another key, expired, or too long-lived", async function () {
    const gateway = await startGateway();
    const { sys, url } = gateway;
    await sys.token.connect(sys.eve).approve(gateway.spender, MaxUint256);
    await sys.spender.connect(sys.eve).buyPremium(TierId.plus, 1n, MaxUint256);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const claims = [
      await premiumHeaders(gateway, sys.dave, nowSeconds + 600, sys.eve.address), // dave claims eve
      await premiumHeaders(gateway, sys.eve, nowSeconds - 1),
      await premiumHeaders(gateway, sys.eve, nowSeconds + MAX_ACCESS_TTL_SECONDS + 60),
      { ...(await premiumHeaders(gateway, sys.eve)), "x-credit-signature": "nope" },
    ];
    for (const headers of claims) expect((await complete(url, headers)).status).to.equal(401);
  });

  it("answers 400 to a bad body or a malformed usage secret", async function () {
    const { url } = await startGateway();
    expect((await complete(url, {}, { nothing: true })).status).to.equal(400);
    expect((await complete(url, { "x-usage-secret": "0x1234" })).status).to.equal(400);
  });

  it("answers 503 with Retry-After when the chain cannot be read", async function () {
    const failing = createPublicClient({
      transport: custom({ request: () => Promise.reject(new Error("down")) }, { retryCount: 0 }),
    });
    const { url } = await startGateway(createEntitlements({ client: failing, spender: `0x${"11".repeat(20)}` }));
    const response = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-usage-secret": `0x${"ab".repeat(32)}` },
      body: JSON.stringify({ prompt: "hello" }),
    });
    expect(response.status).to.equal(503);
    expect(response.headers.get("retry-after")).to.equal("2");
  });

  it("reads and validates its configuration from the environment", function () {
    const defaults = readGatewayConfig({});
    expect(defaults).to.include({ rpcUrl: "http://127.0.0.1:8545", port: 8787, price: TOKEN, fromBlock: 0n });
    expect(readGatewayConfig({ GATEWAY_PRICE: "0.5" }).price).to.equal(TOKEN / 2n);
    expect(() => readGatewayConfig({ GATEWAY_PORT: "70000", GATEWAY_PRICE: "-1", GATEWAY_SPENDER: "0x12" })).to.throw(
      /GATEWAY_PORT[\s\S]*GATEWAY_PRICE[\s\S]*GATEWAY_SPENDER/,
    );
    expect(() => readGatewayConfig({ GATEWAY_PRICE: "0" })).to.throw(/above 0/);
  });

  describe("npm run gateway, against a hardhat node", function () {
    const deploymentId = `test-gateway-${process.pid}`;
    let node: HardhatNode | undefined;
    let child: ChildProcess | undefined;

    before(async function () {
      node = await startHardhatNode();
    });

    after(async function () {
      if (child?.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
      await node?.stop();
      await rm(path.resolve("ignition", "deployments", deploymentId), { recursive: true, force: true });
    });

    it("starts on 127.0.0.1, answers 402, and 200 once paid", async function () {
      if (node === undefined) throw new Error("node not started");
      const remote = await network.create({ network: "localhost", override: { url: node.url } });
      const deployed = await remote.ignition.deploy(LocalCreditSystemModule, {
        displayUi: false,
        deploymentId,
        parameters: path.resolve("ignition", "parameters", "localhost.json"),
      });
      const spender = await deployed.spender.getAddress();
      const port = await freeLoopbackPort();
      const gateway = spawn(path.resolve("node_modules", ".bin", "hardhat"), ["run", "scripts/gateway.ts"], {
        env: {
          ...process.env,
          GATEWAY_RPC_URL: node.url,
          // The spender's address comes from the deployment's deployed_addresses.json.
          GATEWAY_DEPLOYMENT_DIR: path.resolve("ignition", "deployments", deploymentId),
          GATEWAY_PORT: String(port),
          GATEWAY_PRICE: "1",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = gateway;
      let output = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the gateway did not start:\n${output}`)), 60_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("LLM gateway listening on http://127.0.0.1:")) {
            clearTimeout(timer);
            resolve();
          }
        };
        gateway.stdout?.on("data", onData);
        gateway.stderr?.on("data", onData);
        gateway.once("exit", (code) => reject(new Error(`the gateway exited with ${code}:\n${output}`)));
      });
      const url = `http://127.0.0.1:${port}`;
      const first = await complete(url);
      expect(first.status).to.equal(402);
      const quote = first.body as unknown as PaymentRequired;
      expect(quote.spender).to.equal(getAddress(spender));

      // A local account with genesis CRED pays over JSON-RPC.
      const [, payer] = await remote.ethers.getSigners();
      if (!payer) throw new Error("the node has no second account");
      const token = await remote.ethers.getContractAt("CreditToken", await deployed.token.getAddress());
      const spenderContract = await remote.ethers.getContractAt("CreditSpender", spender);
      await (await token.connect(payer).approve(spender, TOKEN)).wait();
      await (await spenderContract.connect(payer).spend(TOKEN, quote.usageRef)).wait();
      // The gateway's default miss bound is 1 s: poll until it sees the payment.
      let status = 402;
      for (let attempt = 0; attempt < 20 && status === 402; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await complete(url, { "x-usage-secret": quote.usageSecret })).status;
      }
      expect(status).to.equal(200);
    });
  });
});
