import type { BaseContract, EventLog } from "ethers";

/**
 * Rebuilds every role's current holders of an OpenZeppelin AccessControl contract from its
 * RoleGranted / RoleRevoked events (AccessControl itself cannot enumerate them).
 */
export async function roleHolders(contract: BaseContract): Promise<Map<string, Set<string>>> {
  const granted = await contract.queryFilter("RoleGranted", 0, "latest");
  const revoked = await contract.queryFilter("RoleRevoked", 0, "latest");
  const changes = [
    ...granted.map((event) => ({ event, grant: true })),
    ...revoked.map((event) => ({ event, grant: false })),
  ].sort((a, b) => a.event.blockNumber - b.event.blockNumber || a.event.index - b.event.index);

  const holders = new Map<string, Set<string>>();
  for (const { event, grant } of changes) {
    const { args } = event as EventLog;
    const role = String(args[0]);
    const account = String(args[1]);
    const set = holders.get(role) ?? new Set<string>();
    if (grant) set.add(account);
    else set.delete(account);
    holders.set(role, set);
  }
  return holders;
}

/** Every role an account holds, per {@link roleHolders}. */
export function rolesOf(holders: Map<string, Set<string>>, account: string): string[] {
  return [...holders.entries()].filter(([, set]) => set.has(account)).map(([role]) => role);
}
