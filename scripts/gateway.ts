/**
 * `npm run gateway`: the example LLM gateway (scripts/gateway/server.ts) in front of a
 * CreditSpender, on 127.0.0.1. Composition root: configuration (scripts/gateway/config.ts,
 * from the environment), then the chain client, the entitlement checks, the HTTP server, and
 * the shutdown on SIGINT/SIGTERM.
 *
 * With a local node:
 *   npx hardhat node
 *   npx hardhat ignition deploy ignition/modules/LocalCreditSystem.ts --network localhost \
 *     --parameters ignition/parameters/localhost.json
 *   npm run gateway
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { createPublicClient, getAddress, http } from "viem";
import type { Address } from "viem";
import { z } from "zod";

import { createEntitlements } from "../src/sdk/entitlements.js";
import { readGatewayConfig } from "./gateway/config.js";
import { createGatewayServer } from "./gateway/server.js";

const SPENDER_FUTURE = "CreditCreditsModule#CreditSpender";

async function spenderFromDeployment(dir: string): Promise<Address> {
  const file = path.join(dir, "deployed_addresses.json");
  const addresses = z.record(z.string(), z.string()).parse(JSON.parse(await readFile(file, "utf8")));
  const spender = addresses[SPENDER_FUTURE];
  if (spender === undefined) throw new Error(`${file} has no ${SPENDER_FUTURE}`);
  return getAddress(spender);
}

const config = readGatewayConfig(process.env);
const client = createPublicClient({ transport: http(config.rpcUrl, { retryCount: 2 }) });
const chainId = await client.getChainId();
const spender =
  config.spender ??
  (await spenderFromDeployment(config.deploymentDir ?? path.resolve("ignition", "deployments", `chain-${chainId}`)));

const entitlements = createEntitlements({ client, spender, fromBlock: config.fromBlock });
await entitlements.sync();
const server = createGatewayServer({
  entitlements,
  price: config.price,
  spender,
  chainId,
  verifyMessage: (parameters) => client.verifyMessage(parameters),
  logger: true,
});
const url = await server.listen({ host: "127.0.0.1", port: config.port });
console.log(`LLM gateway listening on ${url} (CreditSpender ${spender}, chain ${chainId}, price ${config.price})`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
