// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title ReferenceERC20
 * @notice BENCHMARK ONLY. A plain OpenZeppelin ERC20 with an open mint: the floor-side reference
 * the gas benchmark compares reward minting with, and the token a Merkle distributor pays out.
 */
contract ReferenceERC20 is ERC20 {
    /// @notice Deploys the token with no supply.
    constructor() ERC20("Reference", "REF") {}

    /**
     * @notice Mints `amount` to `to`; anyone may call it (benchmarks only).
     * @param to The recipient.
     * @param amount The amount.
     */
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
