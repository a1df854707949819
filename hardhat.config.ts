import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

// Hardhat cannot download compilers on our machines, so we compile with the wasm build of the
// npm `solc` package. Its version must equal SOLC_VERSION below (checked here, at load time).
const SOLC_VERSION = "0.8.34";
const installedSolc = (require("solc/package.json") as { version: string }).version;
if (installedSolc !== SOLC_VERSION) {
  throw new Error(
    `hardhat.config.ts expects solc ${SOLC_VERSION} but npm installed ${installedSolc}; ` +
      `update SOLC_VERSION and the "solc" devDependency together.`,
  );
}

// `cancun` is the newest EVM that every chain we target runs: Ethereum and Sepolia (Prague),
// and OP Stack chains such as OP Mainnet, Base and their Sepolia testnets (Cancun since the
// Ecotone upgrade, Prague since Isthmus). It gives PUSH0, MCOPY and transient storage; the
// later forks add no opcode this compiler would emit for our code, so choosing them would
// only narrow where the bytecode can be deployed. See README "Compiler and EVM".
const EVM_VERSION = "cancun";

const compiler = {
  version: SOLC_VERSION,
  path: require.resolve("solc/soljson.js"),
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: { enabled: true, runs: 200 },
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin, hardhatViem],
  solidity: {
    // One settings block for every profile: the bytecode we test is the bytecode we deploy.
    profiles: {
      default: compiler,
      production: compiler,
    },
    // OpenZeppelin contracts deployed as they are (not through a contract of ours) need artifacts.
    npmFilesToBuild: [
      "@openzeppelin/contracts/governance/TimelockController.sol",
      // The interface StablecoinModule attaches to an existing stablecoin.
      "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol",
    ],
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 64, failOnRevert: false },
    },
    mocha: {
      timeout: 120_000,
    },
  },
  networks: {
    hardhat: {
      type: "edr-simulated",
      chainType: "l1",
    },
  },
});
