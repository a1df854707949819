/**
 * A batch manifest: the oracle's records behind the batch's ids (platform, event id, evidence
 * digest, policy version), as canonical JSON. Its keccak256 is the `manifest` the quorum signs
 * and the contract emits in `BatchProcessed`, so a published manifest proves after the fact
 * which event each id stood for (docs/rewards.md, "Exactly once").
 */
import type { Hex } from "viem";
import { keccak256, stringToBytes } from "viem";

import { canonicalJson } from "./canonicalJson.js";

export const MANIFEST_VERSION = 1;

export interface ManifestItem {
  id: number;
  platform: string;
  eventId: string;
  /** sha256 of the canonical event body (evidence included). */
  bodyHash: string;
  policyVersion: string;
}

export interface BuildManifestReturnType {
  json: string;
  hash: Hex;
}

export function buildManifest(items: readonly ManifestItem[]): BuildManifestReturnType {
  const json = canonicalJson({
    version: MANIFEST_VERSION,
    items: [...items].sort((a, b) => a.id - b.id),
  });
  return { json, hash: keccak256(stringToBytes(json)) };
}
