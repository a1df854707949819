/**
 * Hardhat shows stack traces by default when it detects a CI environment (the variables its
 * `isCi()` reads). Tests that check what an operator sees at a terminal run commands without them.
 */
const CI_VARIABLES = [
  "GITHUB_ACTIONS",
  "NOW",
  "DEPLOYMENT_ID",
  "CODEBUILD_BUILD_NUMBER",
  "CI",
  "CONTINUOUS_INTEGRATION",
  "BUILD_NUMBER",
  "RUN_ID",
] as const;

/** `process.env` plus `extra`, minus the variables that make Hardhat believe it runs in CI. */
export function terminalEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of CI_VARIABLES) delete env[name];
  return env;
}
