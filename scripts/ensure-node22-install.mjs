// Root `postinstall`: makes a plain `npm install` complete on machines whose system Node is
// older than Hardhat 3 needs.
//
// Why: the devDependency `node` ships Node 22 into node_modules/.bin, which npm scripts put
// first on PATH. But when npm itself runs on Node 20 it silently skips optional native
// packages that declare Node >= 22 (notably @nomicfoundation/edr-linux-x64-gnu, without
// which Hardhat fails with HHE27). Re-running the install once with node_modules/.bin first
// on PATH makes npm run on Node 22 and install them. The second run sees Node 22 in the
// user agent and does nothing, so this cannot loop.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const REQUIRED_MAJOR = 22;
const userAgent = process.env.npm_config_user_agent ?? "";
const match = /\bnode\/v(\d+)\./.exec(userAgent);
const npmNodeMajor = match ? Number(match[1]) : Number(process.versions.node.split(".")[0]);

if (npmNodeMajor >= REQUIRED_MAJOR || process.env.CREDIT_ECONOMY_REINSTALL === "1") {
  process.exit(0);
}

const binDir = path.resolve("node_modules", ".bin");
if (!existsSync(path.join(binDir, "node"))) {
  console.error(
    `postinstall: npm runs on Node ${npmNodeMajor} and node_modules/.bin/node is missing; ` +
      `install Node >= ${REQUIRED_MAJOR} or check that the "node" devDependency installed.`,
  );
  process.exit(1);
}

console.log(
  `postinstall: npm ran on Node ${npmNodeMajor}; re-running "npm install" on the bundled ` +
    `Node ${REQUIRED_MAJOR} so that native packages requiring it are installed.`,
);
const result = spawnSync("npm", ["install", "--no-audit", "--no-fund"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    CREDIT_ECONOMY_REINSTALL: "1",
  },
});
process.exit(result.status ?? 1);
