/**
 * Typed ABIs of the contracts the SDK talks to, derived from the Hardhat artifacts of the
 * current compile (never pasted): the JSON gives the value, the generated `artifacts.d.ts` the
 * literal type viem infers function, event and argument types from. Both come from the same
 * `hardhat compile`, which `npm test` and `npm run compile` run first.
 */
import type { CreditSpender$Type } from "../../artifacts/contracts/credits/CreditSpender.sol/artifacts.js";
import creditSpenderArtifact from "../../artifacts/contracts/credits/CreditSpender.sol/CreditSpender.json" with { type: "json" };

/** The ABI of CreditSpender. */
export const creditSpenderAbi = creditSpenderArtifact.abi as unknown as CreditSpender$Type["abi"];
