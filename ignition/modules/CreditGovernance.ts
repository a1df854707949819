import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const DAY = 24n * 60n * 60n;
const TOKEN = 10n ** 18n;

/**
 * Deploys the token, the timelock (treasury and admin of everything) and the governor, wires
 * the governor as the timelock's only proposer and canceller, opens execution to anyone, and
 * renounces the deployer's temporary timelock admin role.
 *
 * The token's admin role stays with the deployer here so that CreditRewardsModule can grant
 * MINTER_ROLE; CreditSystemModule then hands it to the timelock and renounces it. Deploy
 * CreditSystemModule, never this building block alone.
 */
export default buildModule("CreditGovernanceModule", (m) => {
  const deployer = m.getAccount(0);

  const timelock = m.contract("TimelockController", [
    m.getParameter("timelockMinDelay", 2n * DAY),
    [], // proposers: the governor, granted below once it exists
    ["0x0000000000000000000000000000000000000000"], // executors: anyone, once the delay has passed
    deployer, // temporary admin, renounced at the end of this module
  ]);

  const token = m.contract("CreditToken", [
    m.getParameter("tokenName", "Contribution Credit"),
    m.getParameter("tokenSymbol", "CRED"),
    m.getParameter("supplyCap", 1_000_000_000n * TOKEN),
    deployer, // temporary admin, handed to the timelock by CreditSystemModule
    timelock, // the treasury
    m.getParameter("treasuryAllocation", 300_000_000n * TOKEN),
    m.getParameter<string[]>("genesisRecipients", []),
    m.getParameter<string[]>("genesisAmounts", []),
  ]);

  const governor = m.contract("CreditGovernor", [
    token,
    timelock,
    m.getParameter("votingDelay", 1n * DAY),
    m.getParameter("votingPeriod", 7n * DAY),
    m.getParameter("proposalThreshold", 100_000n * TOKEN),
    m.getParameter("quorumPercent", 4n),
    m.getParameter("voteExtension", 2n * DAY),
    m.getParameter("proposalGuardian", "0x0000000000000000000000000000000000000000"),
  ]);

  const proposerRole = m.staticCall(timelock, "PROPOSER_ROLE");
  const cancellerRole = m.staticCall(timelock, "CANCELLER_ROLE");
  const adminRole = m.staticCall(timelock, "DEFAULT_ADMIN_ROLE");

  const grantProposer = m.call(timelock, "grantRole", [proposerRole, governor], { id: "GrantProposerToGovernor" });
  const grantCanceller = m.call(timelock, "grantRole", [cancellerRole, governor], {
    id: "GrantCancellerToGovernor",
  });
  m.call(timelock, "renounceRole", [adminRole, deployer], {
    id: "RenounceDeployerTimelockAdmin",
    after: [grantProposer, grantCanceller],
  });

  return { token, timelock, governor };
});
