/**
 * Contract ABIs, read from Hardhat's artifacts (never pasted): the JSON at runtime, typed by
 * the `artifacts.d.ts` Hardhat generates, so viem infers every function, event and error.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import type { ArtifactMap } from "hardhat/types/artifacts";

import { NonRetryableError } from "../errors.js";

export type ContributionRewardsAbi = ArtifactMap["ContributionRewards"]["abi"];
export type EmissionControllerAbi = ArtifactMap["EmissionController"]["abi"];

export interface OracleAbis {
  rewards: ContributionRewardsAbi;
  emission: EmissionControllerAbi;
}

function readAbi<T>(artifactsDir: string, source: string, name: string): T {
  const file = path.join(artifactsDir, "contracts", source, `${name}.json`);
  let artifact: { abi?: unknown };
  try {
    artifact = JSON.parse(readFileSync(file, "utf8")) as { abi?: unknown };
  } catch (cause) {
    throw new NonRetryableError(`cannot read the ${name} artifact at ${file}: run "npm run compile"`, { cause });
  }
  if (!Array.isArray(artifact.abi)) throw new NonRetryableError(`${file} has no ABI`);
  return artifact.abi as T;
}

export function loadAbis(artifactsDir: string): OracleAbis {
  return {
    rewards: readAbi<ContributionRewardsAbi>(artifactsDir, "rewards/ContributionRewards.sol", "ContributionRewards"),
    emission: readAbi<EmissionControllerAbi>(artifactsDir, "emission/EmissionController.sol", "EmissionController"),
  };
}
