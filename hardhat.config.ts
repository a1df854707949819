import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import { configVariable, defineConfig } from "hardhat/config";

import { deployTasks, govTasks } from "./tasks/index.js";

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
    // A local JSON-RPC node (`hardhat node`, anvil). The URL may be set for one run with
    // LOCALHOST_RPC_URL (the tests point it at an anvil on a free port); this file is the only
    // place that reads it. Accounts are the node's own (eth_accounts).
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545",
    },
    // Testnets. The RPC URLs and the deployer key are configuration variables: set them with
    // `npx hardhat keystore set SEPOLIA_RPC_URL` (and so on), never in a file. Hardhat refuses
    // to send anything if the RPC's chain id differs from `chainId`; `hardhat deploy` checks it
    // again, with the parameter file's, before it deploys (README "Deploying to a testnet").
    sepolia: {
      type: "http",
      chainType: "l1",
      chainId: 11155111,
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
    "base-sepolia": {
      type: "http",
      chainType: "op",
      chainId: 84532,
      url: configVariable("BASE_SEPOLIA_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
    "op-sepolia": {
      type: "http",
      chainType: "op",
      chainId: 11155420,
      url: configVariable("OP_SEPOLIA_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
  },
  // Source verification (`hardhat ignition verify <deployment-id>` or `hardhat deploy --verify`).
  // Etherscan's v2 API takes one key for every chain (Sepolia, Base Sepolia, OP Sepolia);
  // Blockscout and Sourcify need none; the explorers of each chain are Hardhat's built-in chain descriptors.
  verify: {
    etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") },
    blockscout: { enabled: true },
  },
  tasks: [...deployTasks, ...govTasks],
});
