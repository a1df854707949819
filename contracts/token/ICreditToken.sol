// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/**
 * @title ICreditToken
 * @notice The credit token of the LLM contribution economy: an ERC-20 with ERC-2612 permit,
 * ERC-5805 votes on a timestamp clock (ERC-6372), burning, and a hard supply cap fixed at
 * deployment. New tokens are minted only by holders of {MINTER_ROLE}, which the deployment
 * grants to the rewards contract alone; the timelock is the role admin and the treasury.
 */
interface ICreditToken is IERC20, IERC20Permit, IERC5805 {
    /// @dev The genesis recipient and amount arrays have different lengths.
    error CreditTokenGenesisLengthMismatch(uint256 recipients, uint256 amounts);

    /// @dev The recipient and amount arrays of a batch mint have different lengths.
    error CreditTokenBatchLengthMismatch(uint256 recipients, uint256 amounts);

    /// @dev The role admin passed at construction is the zero address.
    error CreditTokenInvalidAdmin(address admin);

    /// @dev The cap exceeds what ERC20Votes can checkpoint (2^208 - 1).
    error CreditTokenCapAboveVotesLimit(uint256 cap, uint256 votesLimit);

    /**
     * @notice The role allowed to mint new tokens (held by ContributionRewards only).
     * @return The role identifier, `keccak256("MINTER_ROLE")`.
     */
    function MINTER_ROLE() external view returns (bytes32); // solhint-disable-line func-name-mixedcase

    /**
     * @notice The hard cap on {totalSupply}, fixed at deployment.
     * @return The cap, in the token's smallest unit.
     */
    function cap() external view returns (uint256);

    /**
     * @notice Mints `amount` new tokens to `to`.
     * @dev Only callable by {MINTER_ROLE}. Reverts with `ERC20ExceededCap(newSupply, cap)` if
     * the supply would pass {cap}. Emits a {Transfer} event from the zero address.
     * @param to The recipient of the new tokens.
     * @param amount The amount to mint, in the token's smallest unit.
     */
    function mint(address to, uint256 amount) external;

    /**
     * @notice Mints `amounts[i]` new tokens to `to[i]` for every `i`, in one call.
     * @dev Only callable by {MINTER_ROLE}. Each item is an ordinary mint (a {Transfer} event from
     * the zero address, votes moved to the recipient's delegate); the whole call reverts if any
     * item would pass {cap} or the arrays differ in length.
     * @param to The recipients.
     * @param amounts The amount for each recipient.
     */
    function mintBatch(address[] calldata to, uint256[] calldata amounts) external;

    /**
     * @notice Destroys `value` of the caller's tokens.
     * @dev Emits a {Transfer} event to the zero address.
     * @param value The amount to burn.
     */
    function burn(uint256 value) external;

    /**
     * @notice Destroys `value` tokens of `account`, spending the caller's allowance.
     * @dev Emits {Transfer} to the zero address. The allowance is reduced unless it is infinite.
     * @param account The holder whose tokens are burned.
     * @param value The amount to burn.
     */
    function burnFrom(address account, uint256 value) external;
}
