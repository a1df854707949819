import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The stablecoin the RedemptionVault pays out, on a real network: an existing token (USDC,
 * for instance) at the address given by the `stablecoin` parameter, which has no default.
 * Nothing is deployed. (The local stand-in is TestStablecoinModule, which only
 * LocalCreditSystemModule uses.)
 */
export default buildModule("StablecoinModule", (m) => {
  const stablecoin = m.contractAt("IERC20Metadata", m.getParameter<string>("stablecoin"), { id: "Stablecoin" });
  return { stablecoin };
});
