/**
 * The example gateway's configuration, read once from the environment and validated; nothing
 * else in the gateway reads `process.env`. The gateway always listens on 127.0.0.1.
 */
import { getAddress, parseUnits } from "viem";
import type { Address } from "viem";
import { z } from "zod";

export interface GatewayConfig {
  /** The JSON-RPC endpoint of the chain (a `hardhat node` by default). */
  rpcUrl: string;
  /** The TCP port on 127.0.0.1 (0: any free port). */
  port: number;
  /** Price of one request, in the token's smallest unit. */
  price: bigint;
  /** The CreditSpender; when absent, read from the Ignition deployment of the chain. */
  spender: Address | undefined;
  /** The Ignition deployment directory to read the spender's address from. */
  deploymentDir: string | undefined;
  /** The first block to index payments from. */
  fromBlock: bigint;
}

const schema = z.object({
  GATEWAY_RPC_URL: z.url().default("http://127.0.0.1:8545"),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  GATEWAY_PRICE: z
    .string()
    .regex(/^\d+(\.\d{1,18})?$/, "a decimal amount of CRED, such as 1 or 0.5")
    .default("1"),
  GATEWAY_SPENDER: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, "an address")
    .optional(),
  GATEWAY_DEPLOYMENT_DIR: z.string().min(1).optional(),
  GATEWAY_FROM_BLOCK: z.coerce.bigint().nonnegative().default(0n),
});

/** The error thrown for an invalid environment, listing every problem. */
export class GatewayConfigError extends Error {
  override name = "GatewayConfigError";
}

/** Reads and validates the gateway's configuration from `env`. */
export function readGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new GatewayConfigError(`Invalid gateway configuration:\n  ${problems.join("\n  ")}`);
  }
  const values = result.data;
  const price = parseUnits(values.GATEWAY_PRICE, 18);
  if (price === 0n) throw new GatewayConfigError("Invalid gateway configuration:\n  GATEWAY_PRICE: must be above 0");
  return {
    rpcUrl: values.GATEWAY_RPC_URL,
    port: values.GATEWAY_PORT,
    price,
    spender: values.GATEWAY_SPENDER === undefined ? undefined : getAddress(values.GATEWAY_SPENDER),
    deploymentDir: values.GATEWAY_DEPLOYMENT_DIR,
    fromBlock: values.GATEWAY_FROM_BLOCK,
  };
}
