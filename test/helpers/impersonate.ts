import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

/**
 * A signer for `address` on the in-process network (tests only), funded for gas. Used to call
 * owner-only setters as the timelock when a test is about the setter's own validation; the
 * governance tests go through real proposals instead.
 */
export async function impersonate(connection: NetworkConnection, address: string): Promise<HardhatEthersSigner> {
  await connection.networkHelpers.impersonateAccount(address);
  await connection.networkHelpers.setBalance(address, 10n ** 20n);
  return connection.ethers.getSigner(address);
}
