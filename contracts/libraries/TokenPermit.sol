// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @notice An ERC-2612 permit signed by a token holder, passed along with the call that uses it.
struct PermitParams {
    /// @dev The allowance the holder signed (at least the amount the call pulls).
    uint256 value;
    /// @dev The permit's deadline.
    uint256 deadline;
    /// @dev The signature's recovery id.
    uint8 v;
    /// @dev The signature's `r`.
    bytes32 r;
    /// @dev The signature's `s`.
    bytes32 s;
}

/**
 * @title TokenPermit
 * @notice Uses an ERC-2612 permit without letting a front-runner turn it into a revert.
 *
 * A permit is public once it is in the mempool: anyone may submit it to the token first, after
 * which the same permit reverts (its nonce is spent) although the allowance it grants is in
 * place. Following OpenZeppelin's note on {IERC20Permit-permit}, a failed permit is ignored and
 * the allowance check of the `transferFrom` that follows decides: it reverts with
 * `ERC20InsufficientAllowance` if neither the permit nor a prior approval granted enough.
 */
library TokenPermit {
    /**
     * @notice Submits `permit` for `owner` to `spender` on `token`, ignoring a failure.
     * @param token The ERC-2612 token.
     * @param owner The holder who signed the permit.
     * @param spender The spender the permit names (the calling contract).
     * @param permit The signed permit.
     */
    function tryPermit(IERC20Permit token, address owner, address spender, PermitParams calldata permit) internal {
        try token.permit(owner, spender, permit.value, permit.deadline, permit.v, permit.r, permit.s) {
            return;
        } catch {
            // Used already (front-run) or invalid: the allowance check that follows decides.
            return;
        }
    }
}
