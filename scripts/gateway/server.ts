/**
 * An example LLM gateway: one endpoint, `POST /v1/completions`, that answers 402 Payment
 * Required until the caller has paid for the request or holds premium. The LLM itself is out
 * of scope: a paid request gets an echo.
 *
 * Two ways in:
 * - Pay per use. The 402 answer carries a fresh `usageSecret` and its `usageRef`
 *   (`keccak256(usageSecret)`). The caller pays `CreditSpender.spend(price, usageRef)` and sends
 *   the request again with `x-usage-secret`. Only the hash is ever on-chain, so someone who sees
 *   the payment in the mempool cannot use it first. Each paid reference serves one request.
 * - Premium. The caller proves control of its account with an EIP-191 signature over
 *   {@link accessMessage} (headers `x-credit-address`, `x-credit-expires`,
 *   `x-credit-signature`; the signature is checked on-chain too, so contract wallets work), and
 *   the account holds an active premium tier.
 *
 * Entitlement answers come from the SDK (`createEntitlements`), with its cache and freshness
 * bound. Used references are remembered in memory: a real gateway keeps them in its database.
 */
import { randomBytes } from "node:crypto";

import Fastify from "fastify";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Address, Hex } from "viem";
import { getAddress, keccak256 } from "viem";
import { z } from "zod";

import type { Entitlements } from "../../src/sdk/entitlements.js";
import { EntitlementsRpcError } from "../../src/sdk/entitlements.js";

/** How far in the future a premium access signature may expire. */
export const MAX_ACCESS_TTL_SECONDS = 3_600;
/** Seconds a client should wait after a 503 (the chain could not be read). */
const RETRY_AFTER_SECONDS = 2;

/** The message a premium caller signs (EIP-191) to prove control of `account`. */
export function accessMessage(parameters: {
  account: Address;
  expires: number;
  spender: Address;
  chainId: number;
}): string {
  const { account, expires, spender, chainId } = parameters;
  return [
    "LLM gateway premium access",
    `account: ${account}`,
    `expires: ${expires}`,
    `spender: ${spender}`,
    `chain: ${chainId}`,
  ].join("\n");
}

export interface CreateGatewayServerParameters {
  entitlements: Entitlements;
  /** Price of one request, in the token's smallest unit. */
  price: bigint;
  /** The CreditSpender the caller pays. */
  spender: Address;
  chainId: number;
  /** Checks an EIP-191 signature (viem's `publicClient.verifyMessage`: EOAs and ERC-1271 wallets). */
  verifyMessage: (parameters: { address: Address; message: string; signature: Hex }) => Promise<boolean>;
  /** The wall clock, in milliseconds (tests pass their own). */
  now?: () => number;
  /** Fastify's logger option: false (the default) or true for structured logs. */
  logger?: boolean;
}

const bodySchema = z.object({ prompt: z.string().min(1).max(10_000) });
const hex32 = /^0x[0-9a-fA-F]{64}$/;
const premiumHeadersSchema = z.object({
  "x-credit-address": z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  "x-credit-expires": z.coerce.number().int().positive(),
  "x-credit-signature": z.string().regex(/^0x[0-9a-fA-F]+$/),
});

/** Builds the gateway (not listening yet: call `listen({ host: "127.0.0.1", port })`). */
export function createGatewayServer(parameters: CreateGatewayServerParameters): FastifyInstance {
  const { entitlements, price, spender, chainId, verifyMessage, now = Date.now } = parameters;
  const used = new Set<Hex>();
  const app = Fastify({ logger: parameters.logger ?? false });

  function paymentRequired(reply: FastifyReply, reason: string, paidSoFar = 0n) {
    const usageSecret: Hex = `0x${randomBytes(32).toString("hex")}`;
    return reply.code(402).send({
      error: "payment required",
      reason,
      price: price.toString(),
      paidSoFar: paidSoFar.toString(),
      spender,
      chainId,
      usageSecret,
      usageRef: keccak256(usageSecret),
      howToPay: "call CreditSpender.spend(price, usageRef), then send the request again with x-usage-secret",
    });
  }

  app.get("/healthz", () => ({ ok: true }));

  app.post("/v1/completions", async (request, reply) => {
    const body = bodySchema.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: "expected a JSON body { prompt: string }" });
    const completion = `echo: ${body.data.prompt}`;

    try {
      if (request.headers["x-credit-address"] !== undefined) {
        const headers = premiumHeadersSchema.safeParse(request.headers);
        if (!headers.success) return reply.code(401).send({ error: "malformed premium access headers" });
        const account = getAddress(headers.data["x-credit-address"]);
        const expires = headers.data["x-credit-expires"];
        const nowSeconds = Math.floor(now() / 1000);
        if (expires <= nowSeconds || expires > nowSeconds + MAX_ACCESS_TTL_SECONDS) {
          return reply.code(401).send({ error: "premium access signature expired or too long-lived" });
        }
        const message = accessMessage({ account, expires, spender, chainId });
        const signature = headers.data["x-credit-signature"] as Hex;
        if (!(await verifyMessage({ address: account, message, signature }))) {
          return reply.code(401).send({ error: "premium access signature does not match the account" });
        }
        const premium = await entitlements.premium(account);
        if (premium.active) {
          return reply.send({ completion, paidBy: "premium", tier: premium.tier, expiry: premium.expiry.toString() });
        }
        if (request.headers["x-usage-secret"] === undefined) {
          return paymentRequired(reply, "no active premium for this account");
        }
      }

      const secret = request.headers["x-usage-secret"];
      if (secret === undefined) return paymentRequired(reply, "no payment and no premium");
      if (typeof secret !== "string" || !hex32.test(secret)) {
        return reply.code(400).send({ error: "x-usage-secret must be 0x and 64 hex digits" });
      }
      const usageRef = keccak256(secret as Hex);
      if (used.has(usageRef)) return paymentRequired(reply, "this payment was already used");
      const usage = await entitlements.usage(usageRef, { minTotal: price });
      if (usage.total < price) return paymentRequired(reply, "not paid (yet)", usage.total);
      // Checked again after the await: two requests racing on one payment serve one.
      if (used.has(usageRef)) return paymentRequired(reply, "this payment was already used");
      used.add(usageRef);
      return reply.send({ completion, paidBy: "usage", usageRef, payer: usage.payments[0]?.payer });
    } catch (error) {
      if (error instanceof EntitlementsRpcError) {
        request.log.warn({ msg: "entitlement check failed", err: error });
        return reply
          .code(503)
          .header("retry-after", String(RETRY_AFTER_SECONDS))
          .send({ error: "could not read the chain" });
      }
      throw error;
    }
  });

  return app;
}
