/**
 * The deploy task and every `gov` command, run as subprocesses (`hardhat ... --network
 * localhost`) against an independent node: Foundry's anvil from npm, on 127.0.0.1 and a free
 * port given to Hardhat through LOCALHOST_RPC_URL. Balances and votes are read back with
 * Foundry's cast, a second client that shares no code with ours.
 *
 * The tests share one chain. The governance lifecycle (delegate, propose a treasury grant from
 * examples/proposals/, vote, queue, execute) runs in order, each command's wrong-state path
 * tried at the point where it is wrong. Every Hardhat start costs seconds, so the commands that
 * depend on no step of the lifecycle (wrong input, reads of untouched accounts) are launched in
 * the background once the system is deployed, two at a time, and each test awaits its own.
 * Input validation that needs no chain (amounts, proposal files, parameter kinds) is tested in
 * process: test/tasks/ and test/sdk/.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { loadDeployment } from "../../src/sdk/deployments.js";
import { formatAmount } from "../../src/sdk/formatAmount.js";
import type { SystemAddresses } from "../../src/sdk/deployments.js";
import { startAnvil } from "../helpers/anvil.js";
import type { AnvilNode } from "../helpers/anvil.js";
import { terminalEnv } from "../helpers/env.js";

const TOKEN = 10n ** 18n;
const HARDHAT = path.resolve("node_modules", ".bin", "hardhat");
const CAST = path.resolve("node_modules", ".bin", "cast");
const GRANT_FILE = path.join("examples", "proposals", "treasury-grant.json");

/** The anvil/Hardhat test mnemonic's accounts used here. */
const ACCOUNT = {
  deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  alice: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", // 50M at genesis
  bob: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", // 30M at genesis
  carol: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", // 20M at genesis, never moves
  dave: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", // 1M at genesis, never moves
  grantee: "0x976EA74026E726554dB657fA54763abd0C3a0aa9", // account 6, the example grant's recipient
  newcomer: "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", // account 7, no tokens at genesis
  empty: "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f", // account 8, never holds tokens
} as const;

/**
 * How many of the independent commands run at once, beside the lifecycle (each Hardhat process
 * takes about one core for two to three seconds; the lifecycle is the critical path).
 */
const BACKGROUND_CONCURRENCY = 2;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether a failed command ended as the CLI promises: one `Error:` line, no stack trace. */
function expectOneLineError(run: Run, pattern: RegExp) {
  expect(run.code, `exit code; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).to.not.equal(0);
  const lines = run.stderr.trim().split("\n");
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^Error: /);
  expect(lines[0]).to.match(pattern);
  expect(run.stderr).to.not.match(/^\s+at /m);
}

describe("governance commands on anvil (hardhat deploy, hardhat gov ...)", function () {
  const deploymentId = `test-anvil-${process.pid}`;
  let anvil: AnvilNode;
  let addresses: SystemAddresses;
  let scratch: string;
  let proposalId: string;
  /** The commands that depend on no lifecycle step, launched together after the deployment. */
  let early: ReturnType<typeof launchIndependentCommands>;

  /** Runs hardhat with the node's URL; never rejects on a non-zero exit. */
  function hardhat(...args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      execFile(
        HARDHAT,
        args,
        { env: terminalEnv({ LOCALHOST_RPC_URL: anvil.url }), timeout: 120_000 },
        (error, stdout, stderr) => {
          if (error !== null && typeof error.code !== "number") reject(new Error(error.message, { cause: error }));
          else resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
        },
      );
    });
  }

  let running = 0;
  const waiting: (() => void)[] = [];
  /** `hardhat(...)`, at most BACKGROUND_CONCURRENCY at once. */
  async function background(run: () => Promise<Run>): Promise<Run> {
    if (running >= BACKGROUND_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await run();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  /** A `gov` command against this test's deployment. */
  function gov(command: string, ...args: string[]): Promise<Run> {
    return hardhat("gov", command, ...args, "--network", "localhost", "--deployment-id", deploymentId);
  }

  async function expectSuccess(run: Promise<Run>): Promise<string> {
    const { code, stdout, stderr } = await run;
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).to.equal(0);
    return stdout;
  }

  /** `cast call` with a return signature: the values, as bigints. */
  async function castCall(to: string, signature: string, ...args: string[]): Promise<bigint[]> {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(CAST, ["call", to, signature, ...args, "--rpc-url", anvil.url], (error, out, err) =>
        error === null ? resolve(out) : reject(new Error(`cast call ${signature}: ${err}`)),
      );
    });
    // One value per line, each as "123 [1.23e2]".
    return stdout
      .trim()
      .split("\n")
      .map((line) => BigInt(line.trim().split(" ")[0]!));
  }

  const balanceOf = async (account: string) =>
    (await castCall(addresses.token, "balanceOf(address)(uint256)", account))[0]!;
  const votesOf = async (account: string) =>
    (await castCall(addresses.token, "getVotes(address)(uint256)", account))[0]!;

  async function writeJson(name: string, content: unknown): Promise<string> {
    const file = path.join(scratch, name);
    await writeFile(file, JSON.stringify(content));
    return file;
  }

  /** Commands whose outcome no lifecycle step changes: they run while the lifecycle does. */
  function launchIndependentCommands(tooLargeGrant: string) {
    return {
      deployOtherChain: background(() =>
        hardhat(
          "deploy",
          "--network",
          "localhost",
          "--parameters",
          "ignition/parameters/sepolia.json",
          "--deployment-id",
          `${deploymentId}-refused`,
        ),
      ),
      balance: background(() => gov("balance", "--from", "3")),
      transfer: background(() => gov("transfer", ACCOUNT.newcomer, "1_000.5", "--from", "2")),
      transferTooMuch: background(() => gov("transfer", ACCOUNT.bob, "5000", "--from", "8")),
      balanceWithOverrides: background(() =>
        hardhat(
          "gov",
          "balance",
          "--account",
          ACCOUNT.dave,
          "--network",
          "localhost",
          "--deployment-id",
          "no-such-deployment",
          "--governor",
          addresses.governor,
          "--rewards",
          addresses.rewards,
        ),
      ),
      missingDeployment: background(() =>
        hardhat("gov", "balance", "--network", "localhost", "--deployment-id", "no-such-deployment"),
      ),
      delegateNotAnAddress: background(() => gov("delegate", "--to", "alice", "--from", "1")),
      proposeBelowThreshold: background(() => gov("propose", GRANT_FILE, "--from", "8")),
      proposeTooLarge: background(() => gov("propose", tooLargeGrant, "--from", "1")),
      statusUnknown: background(() => gov("status", "123")),
      statusUnknownWithStack: background(() => gov("status", "123", "--show-stack-traces")),
      categories: background(() => gov("categories")),
      epoch: background(() => gov("epoch")),
    };
  }

  before(async function () {
    scratch = await mkdtemp(path.join(tmpdir(), "governance-cli-"));
    anvil = await startAnvil();
    // The default build profile: the tests already compiled with it, so nothing is rebuilt.
    const deploy = await hardhat(
      "deploy",
      "--network",
      "localhost",
      "--deployment-id",
      deploymentId,
      "--build-profile",
      "default",
    );
    expect(deploy.code, `${deploy.stdout}\n${deploy.stderr}`).to.equal(0);
    expect(deploy.stdout).to.contain("Pre-deploy checks for localhost with ignition/parameters/localhost.json");
    expect(deploy.stdout).to.not.contain("FAIL");
    addresses = (await loadDeployment({ deploymentId })).addresses;

    early = launchIndependentCommands(
      await writeJson("too-large.json", {
        description: "# Too much",
        actions: [{ type: "treasuryGrant", to: ACCOUNT.grantee, amount: "300000001" }],
      }),
    );
  });

  after(async function () {
    // Let every launched command finish before the node goes away.
    if (early !== undefined) await Promise.allSettled(Object.values(early));
    await anvil?.stop();
    await rm(path.resolve("ignition", "deployments", deploymentId), { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  describe("deploy", function () {
    it("deployed the system with the local parameter file; cast reads it at the addresses the sdk loads", async function () {
      expect(await castCall(addresses.token, "totalSupply()(uint256)")).to.deep.equal([401_000_000n * TOKEN]);
      expect(await castCall(addresses.governor, "votingPeriod()(uint256)")).to.deep.equal([300n]);
      expect(await castCall(addresses.rewards, "categoryCount()(uint256)")).to.deep.equal([9n]);
    });

    it("refuses a parameter file for another chain, with placeholders, before sending anything", async function () {
      const run = await early.deployOtherChain;
      expectOneLineError(
        run,
        /refusing to deploy: 9 pre-deploy checks failed \(the RPC is chain 31337, but the parameter file is for chain 11155111/,
      );
      expect(run.stdout).to.match(
        /FAIL {2}CreditRewardsModule\.guardian is a placeholder: <operations Safe on Sepolia/,
      );
      expect(run.stdout).to.not.contain("Batch #1");
    });
  });

  describe("gov balance and gov transfer", function () {
    it("shows a balance, votes and delegate that cast confirms", async function () {
      const stdout = await expectSuccess(early.balance);
      expect(stdout).to.match(new RegExp(`account +${ACCOUNT.carol}`));
      expect(stdout).to.match(/balance +20,000,000 CRED \(4\.9875% of supply\)/);
      expect(stdout).to.match(/votes +0 CRED/);
      expect(stdout).to.match(/delegate +none/);
      expect(await balanceOf(ACCOUNT.carol)).to.equal(20_000_000n * TOKEN);
    });

    it("sends human amounts; cast sees the recipient's balance", async function () {
      const stdout = await expectSuccess(early.transfer);
      expect(stdout).to.contain(`sent 1,000.5 CRED from ${ACCOUNT.bob} to ${ACCOUNT.newcomer}`);
      expect(await balanceOf(ACCOUNT.newcomer)).to.equal(1_000n * TOKEN + TOKEN / 2n);
    });

    it("refuses more than the balance in one line", async function () {
      expectOneLineError(
        await early.transferTooMuch,
        new RegExp(`${ACCOUNT.empty} has 0 CRED, which is less than the 5,000 CRED needed`),
      );
    });

    it("takes the addresses from --governor and --rewards instead of a deployment, and names missing deployments", async function () {
      expect(await expectSuccess(early.balanceWithOverrides)).to.match(/balance +1,000,000 CRED/);
      expectOneLineError(
        await early.missingDeployment,
        /no deployment "no-such-deployment" .*Deployments here: .*test-anvil-/,
      );
    });
  });

  describe("gov delegate", function () {
    it("delegates to oneself; cast reads the votes", async function () {
      const stdout = await expectSuccess(gov("delegate", "--from", "1"));
      expect(stdout).to.contain(`${ACCOUNT.alice} delegates its 50,000,000 CRED to itself`);
      expect(await votesOf(ACCOUNT.alice)).to.equal(50_000_000n * TOKEN);
    });

    it("refuses a delegatee that is not an address", async function () {
      expectOneLineError(await early.delegateNotAnAddress, /--to "alice" is not an address/);
    });
  });

  describe("gov propose", function () {
    it("refuses a proposer below the threshold, decoding the governor's error", async function () {
      expectOneLineError(
        await early.proposeBelowThreshold,
        new RegExp(`${ACCOUNT.empty} has 0 CRED of votes, below the proposal threshold of 100,000 CRED`),
      );
    });

    it("refuses an action that would fail as the timelock (a grant larger than the treasury)", async function () {
      expectOneLineError(
        await early.proposeTooLarge,
        new RegExp(
          `action 1 \\(treasury grant: 300,000,001 CRED to ${ACCOUNT.grantee}\\) would fail if executed now: ` +
            `${addresses.timelock} has 300,000,000 CRED, which is less than the 300,000,001 CRED needed`,
        ),
      );
    });

    it("proposes a treasury grant from examples/proposals/treasury-grant.json", async function () {
      const stdout = await expectSuccess(gov("propose", GRANT_FILE, "--from", "1"));
      const match = /^proposal (\d+)$/m.exec(stdout);
      expect(match, stdout).to.not.equal(null);
      proposalId = match![1]!;
      expect(stdout).to.contain(`treasury grant: 50,000 CRED to ${ACCOUNT.grantee}`);
      expect(stdout).to.match(/voting opens after .* UTC \(in 60 s\)/);
    });
  });

  describe("gov vote", function () {
    it("refuses to vote before voting opens, saying when it does", async function () {
      expectOneLineError(
        await gov("vote", proposalId, "for", "--from", "1"),
        new RegExp(`proposal ${proposalId} is Pending, not Active; voting opens after .* UTC \\(in \\d+ s\\)`),
      );
    });

    it("votes for with a reason once voting is open; cast reads the tally", async function () {
      await anvil.increaseTime(61);
      const stdout = await expectSuccess(gov("vote", proposalId, "for", "--reason", "docs matter", "--from", "1"));
      expect(stdout).to.contain(
        `${ACCOUNT.alice} voted for on proposal ${proposalId} with 50,000,000 CRED: "docs matter"`,
      );
      const votes = await castCall(addresses.governor, "proposalVotes(uint256)(uint256,uint256,uint256)", proposalId);
      expect(votes).to.deep.equal([0n, 50_000_000n * TOKEN, 0n]); // against, for, abstain
    });

    it("refuses a second vote", async function () {
      expectOneLineError(
        await gov("vote", proposalId, "against", "--from", "1"),
        new RegExp(`${ACCOUNT.alice} has already voted on this proposal`),
      );
    });
  });

  describe("gov queue", function () {
    it("refuses to queue while voting is open, saying until when", async function () {
      expectOneLineError(
        await gov("queue", proposalId),
        new RegExp(
          `proposal ${proposalId} is Active, not Succeeded; voting is open until .* UTC \\(in \\d+ (s|min)\\)`,
        ),
      );
    });

    it("queues the proposal once it succeeded", async function () {
      await anvil.increaseTime(300);
      const stdout = await expectSuccess(gov("queue", proposalId));
      expect(stdout).to.match(
        new RegExp(`proposal ${proposalId} queued; it can be executed after .* UTC \\(in 60 s\\)`),
      );
    });
  });

  describe("gov execute", function () {
    it("refuses to execute before the timelock delay ends, saying when it does", async function () {
      expectOneLineError(
        await gov("execute", proposalId),
        new RegExp(
          `the timelock operation 0x\\w+…\\w+ is not Ready; proposal ${proposalId} is queued until .* UTC \\(in \\d+ s\\)`,
        ),
      );
    });

    it("executes the grant after the delay; cast sees the grantee's tokens", async function () {
      expect(await balanceOf(ACCOUNT.grantee)).to.equal(0n);
      await anvil.increaseTime(61);
      const stdout = await expectSuccess(gov("execute", "latest"));
      expect(stdout).to.contain(`proposal ${proposalId} executed`);
      expect(await balanceOf(ACCOUNT.grantee)).to.equal(50_000n * TOKEN);
      expect(await balanceOf(addresses.timelock)).to.equal(300_000_000n * TOKEN - 50_000n * TOKEN);
    });
  });

  describe("gov status and gov list", function () {
    it("show the executed proposal's votes, quorum, eta and actions, and refuse to execute it again", async function () {
      const [status, list, again] = await Promise.all([
        expectSuccess(gov("status", proposalId)),
        expectSuccess(gov("list")),
        gov("execute", proposalId),
      ]);
      expect(status).to.match(/state +Executed/);
      expect(status).to.match(/votes +for 50,000,000 CRED, against 0 CRED, abstain 0 CRED/);
      expect(status).to.match(/quorum +16,040,000 CRED at the snapshot: reached/);
      expect(status).to.match(/eta +20\d\d-.* UTC \(\d+ (s|min) ago\)/);
      expect(status).to.contain(`1. CreditToken.transfer(to: ${ACCOUNT.grantee}, value: 50,000 CRED)`);

      expect(list).to.contain("1 proposal (newest first, amounts in CRED)");
      expect(list).to.match(
        new RegExp(`#0 +Executed +for 50,000,000 +against 0 +abstain 0 +closed \\d+ (s|min) ago +${proposalId}`),
      );

      expectOneLineError(again, new RegExp(`proposal ${proposalId} is Executed, not (Succeeded or )?Queued`));
    });

    it("status names an unknown proposal in one line", async function () {
      expectOneLineError(await early.statusUnknown, /there is no proposal 123/);
    });

    it("status prints the stack trace as well when asked to (Hardhat's default in CI)", async function () {
      const run = await early.statusUnknownWithStack;
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/^Error: there is no proposal 123$/m);
      expect(run.stderr).to.match(/^\s+at /m);
    });
  });

  describe("gov categories and gov epoch", function () {
    it("show the categories, the epoch's budget and the reward scale that cast reads", async function () {
      const categories = await expectSuccess(early.categories);
      expect(categories).to.contain("9 categories");
      expect(categories).to.match(/ 3 +bugReport +25 +25 +5% +5% +~?[\d,.]+ +enabled/);
      expect(categories).to.match(/reward scale 1 /);

      const epoch = await expectSuccess(early.epoch);
      const [current, limit, minted, rewardScale] = await castCall(
        addresses.emission,
        "mintAllowance()(uint256,uint256,uint256,uint256)",
      );
      expect(epoch).to.match(new RegExp(`epoch +${current}`));
      const shownLimit = formatAmount(limit!, 18, { maxDecimals: 4 }).replace(/[~.]/g, "\\$&");
      expect(epoch).to.match(new RegExp(`limit +${shownLimit} CRED`));
      expect(epoch).to.match(new RegExp(`minted +${minted} CRED`));
      expect(rewardScale).to.equal(TOKEN);
      expect(epoch).to.match(/reward scale +1\n/);
    });
  });
});
