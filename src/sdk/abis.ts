/**
 * Typed ABIs of the contracts the SDK talks to, derived from the Hardhat artifacts of the
 * current compile (never pasted): the JSON artifact gives the value at run time, the generated
 * `artifacts.d.ts` the literal type viem infers function, event and argument types from. Both
 * come from the same `hardhat compile`, which `npm test` and `npm run compile` run first. (The
 * JSON is loaded with `require` rather than imported so that the type checker does not infer a
 * second, wide type for the whole artifact, bytecode included.)
 */
import { createRequire } from "node:module";

import type { CreditSpender$Type } from "../../artifacts/contracts/credits/CreditSpender.sol/artifacts.js";

const require = createRequire(import.meta.url);

/** The ABI of CreditSpender. */
export const creditSpenderAbi = (
  require("../../artifacts/contracts/credits/CreditSpender.sol/CreditSpender.json") as CreditSpender$Type
).abi;
