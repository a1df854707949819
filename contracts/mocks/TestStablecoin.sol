// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title TestStablecoin
 * @notice TESTS AND LOCAL NETWORKS ONLY. A plain 6-decimal ERC-20 with an open mint, standing in
 * for USDC where none exists (the in-process network, a local node). Deployed only by the
 * tests and by ignition/modules/LocalCreditSystem.ts; CreditSystemModule, the module real
 * networks use, takes the address of a real stablecoin instead and never references this one.
 */
contract TestStablecoin is ERC20 {
    /// @notice Deploys the token with no supply.
    constructor() ERC20("Test USD", "tUSD") {}

    /**
     * @notice Mints `amount` to `to`; anyone may call it (a faucet, for tests only).
     * @param to The recipient.
     * @param amount The amount, in units of 1e-6.
     */
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /**
     * @notice Six decimals, as USDC.
     * @return 6.
     */
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
