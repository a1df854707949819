/**
 * Request authentication: HMAC-SHA256 over `${timestamp}.${raw body}` with the platform's
 * secret, in the headers `x-oracle-platform`, `x-oracle-timestamp` (Unix seconds) and
 * `x-oracle-signature` (`sha256=<hex>`). A timestamp outside the replay window is refused, so
 * a captured request cannot be replayed later; within the window a replay is harmless (the
 * ingest is idempotent on the event id).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

import type { Secret } from "../config/secret.js";

export const PLATFORM_HEADER = "x-oracle-platform";
export const TIMESTAMP_HEADER = "x-oracle-timestamp";
export const SIGNATURE_HEADER = "x-oracle-signature";

export type HmacFailure =
  "missing_signature" | "unknown_platform" | "invalid_timestamp" | "stale_signature" | "invalid_signature";

export interface VerifyHmacParameters {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  secrets: ReadonlyMap<string, Secret<string>>;
  nowSeconds: number;
  replayWindowSeconds: number;
}

export type VerifyHmacReturnType = { ok: true; platform: string } | { ok: false; failure: HmacFailure };

function header(headers: VerifyHmacParameters["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The signature a platform sends (for clients and tests). */
export function signRequest({
  secret,
  timestamp,
  body,
}: {
  secret: string;
  timestamp: number;
  body: string | Buffer;
}): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

export function verifyHmac({
  headers,
  body,
  secrets,
  nowSeconds,
  replayWindowSeconds,
}: VerifyHmacParameters): VerifyHmacReturnType {
  const platform = header(headers, PLATFORM_HEADER);
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (platform === undefined || timestamp === undefined || signature === undefined)
    return { ok: false, failure: "missing_signature" };
  const secret = secrets.get(platform);
  if (secret === undefined) return { ok: false, failure: "unknown_platform" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, failure: "invalid_timestamp" };
  if (Math.abs(nowSeconds - Number(timestamp)) > replayWindowSeconds) return { ok: false, failure: "stale_signature" };
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature);
  if (match === null) return { ok: false, failure: "invalid_signature" };
  const expected = createHmac("sha256", secret.reveal()).update(`${timestamp}.`).update(body).digest();
  const given = Buffer.from(match[1]!, "hex");
  if (!timingSafeEqual(expected, given)) return { ok: false, failure: "invalid_signature" };
  return { ok: true, platform };
}
