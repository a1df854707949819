/**
 * How a task ends: on success, normally; on failure, with one line on stderr (`Error: ...`)
 * and a failed Result, which makes Hardhat exit with code 1. No stack trace unless
 * `--show-stack-traces` is given.
 */
import { errorResult, successfulResult } from "hardhat/utils/result";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { describeError } from "../../src/sdk/describeRevert.js";

/** A failure the user can act on; its message is shown as it is. */
export class CommandError extends Error {
  override name = "CommandError";
}

export type CommandAction<ArgsT> = (args: ArgsT, hre: HardhatRuntimeEnvironment) => Promise<void>;

/** Wraps a task action: one-line errors and a non-zero exit code instead of a stack trace. */
export function command<ArgsT>(action: CommandAction<ArgsT>) {
  return async (args: ArgsT, hre: HardhatRuntimeEnvironment) => {
    try {
      await action(args, hre);
      return successfulResult();
    } catch (error) {
      const message = error instanceof CommandError ? error.message : describeError(error);
      console.error(`Error: ${message}`);
      if (hre.globalOptions.showStackTraces) console.error(error);
      return errorResult();
    }
  };
}
