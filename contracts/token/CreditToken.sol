// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ICreditToken} from "./ICreditToken.sol";

/**
 * @title CreditToken
 * @notice ERC-20 credits earned for contributions to an LLM product and spent on it.
 *
 * Composition only: OpenZeppelin's ERC20, ERC20Permit, ERC20Votes (on a timestamp clock, so
 * governance periods are written in seconds and behave the same on every L2 whatever its
 * block time), ERC20Burnable, ERC20Capped and AccessControl. The contract adds no balance,
 * allowance or vote logic of its own.
 *
 * IMPORTANT: Trust model. After deployment {DEFAULT_ADMIN_ROLE} belongs to the governance
 * timelock alone: the deployment passes the deployer as the first `admin` only so that it can
 * grant {MINTER_ROLE} to the rewards contract, then grants the timelock and renounces (the
 * Ignition module does all three; a test checks the deployer ends with no role). Whoever holds
 * {MINTER_ROLE} can mint up to {cap} and no further. Nobody can move or burn another holder's
 * tokens without an allowance.
 */
contract CreditToken is ERC20, ERC20Permit, ERC20Votes, ERC20Burnable, ERC20Capped, AccessControl, ICreditToken {
    /// @inheritdoc ICreditToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /**
     * @notice Deploys the token, grants the admin role to `admin` and mints the genesis allocations.
     * @dev The deployment hands `admin` to the governance timelock once the minter is wired (the
     * Ignition module grants the timelock, then renounces the deployer's role in the same run).
     * @param name_ The ERC-20 name, also the EIP-712 domain name used by permit.
     * @param symbol_ The ERC-20 symbol.
     * @param cap_ The hard cap on total supply (immutable).
     * @param admin The first holder of DEFAULT_ADMIN_ROLE.
     * @param treasury The treasury (the governance timelock), which receives `treasuryAllocation`.
     * @param treasuryAllocation Tokens minted to `treasury` at genesis.
     * @param genesisRecipients Other recipients of the genesis allocation.
     * @param genesisAmounts Amounts for each genesis recipient; together with
     * `treasuryAllocation` they must not exceed `cap_`.
     */
    constructor(
        string memory name_,
        string memory symbol_,
        uint256 cap_,
        address admin,
        address treasury,
        uint256 treasuryAllocation,
        address[] memory genesisRecipients,
        uint256[] memory genesisAmounts
    ) ERC20(name_, symbol_) ERC20Permit(name_) ERC20Capped(cap_) {
        if (admin == address(0)) revert CreditTokenInvalidAdmin(admin);
        if (cap_ > _maxSupply()) revert CreditTokenCapAboveVotesLimit(cap_, _maxSupply());
        if (genesisRecipients.length != genesisAmounts.length) {
            revert CreditTokenGenesisLengthMismatch(genesisRecipients.length, genesisAmounts.length);
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        // ERC20 rejects a zero treasury with ERC20InvalidReceiver when there is something to mint.
        if (treasuryAllocation > 0) _mint(treasury, treasuryAllocation);
        // Bounded by the constructor argument, not by user-growing state. ERC20Capped reverts
        // with ERC20ExceededCap if the allocations sum past the cap.
        for (uint256 i = 0; i < genesisRecipients.length; ++i) {
            _mint(genesisRecipients[i], genesisAmounts[i]);
        }
    }

    /// @inheritdoc ICreditToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @inheritdoc ICreditToken
    function mintBatch(address[] calldata to, uint256[] calldata amounts) external onlyRole(MINTER_ROLE) {
        uint256 count = to.length;
        if (count != amounts.length) revert CreditTokenBatchLengthMismatch(count, amounts.length);
        uint256 total;
        // Bounded by the caller's calldata; the caller is the rewards contract.
        for (uint256 i = 0; i < count; ++i) {
            address account = to[i];
            uint256 amount = amounts[i];
            if (account == address(0)) revert ERC20InvalidReceiver(address(0));
            // Balances, supply and the Transfer event: OpenZeppelin's ERC20._update itself.
            ERC20._update(address(0), account, amount);
            // The per-recipient half of ERC20Votes' bookkeeping: the votes follow the delegate.
            _moveDelegateVotes(address(0), delegates(account), amount);
            total += amount;
        }
        _afterBatchMint(total);
    }

    /**
     * @notice The ERC-6372 clock: the current block timestamp.
     * @dev Votes are checkpointed by timestamp so that governance periods are durations.
     * @return The current timepoint.
     */
    function clock() public view override(IERC6372, Votes) returns (uint48) {
        return uint48(block.timestamp);
    }

    /* solhint-disable func-name-mixedcase */
    /**
     * @notice The ERC-6372 clock mode, `mode=timestamp`.
     * @return The clock mode string.
     */
    function CLOCK_MODE() public pure override(IERC6372, Votes) returns (string memory) {
        return "mode=timestamp";
    }
    /* solhint-enable func-name-mixedcase */

    // The functions below are overrides required by Solidity.

    /// @inheritdoc ICreditToken
    function cap() public view override(ICreditToken, ERC20Capped) returns (uint256) {
        return super.cap();
    }

    /// @inheritdoc ICreditToken
    function burn(uint256 value) public override(ICreditToken, ERC20Burnable) {
        super.burn(value);
    }

    /// @inheritdoc ICreditToken
    function burnFrom(address account, uint256 value) public override(ICreditToken, ERC20Burnable) {
        super.burnFrom(account, value);
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(IERC20Permit, ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes, ERC20Capped) {
        super._update(from, to, value);
    }

    /**
     * @dev The per-batch half of a batch mint: what ERC20Capped and ERC20Votes add to `_update`
     * for a mint, done once for the batch's `total` instead of once per item. The result equals
     * minting each item with `_mint` (a differential fuzz test checks balances, votes,
     * checkpoints and supply): checkpoints are keyed by timestamp, so per-item pushes within
     * one transaction collapse into the same single total-supply checkpoint.
     */
    function _afterBatchMint(uint256 total) private {
        // ERC20Capped's check; ERC20Votes' own limit is implied, as cap <= _maxSupply().
        uint256 supply = totalSupply();
        if (supply > cap()) revert ERC20ExceededCap(supply, cap());
        // Pushes the total-supply checkpoint by `total`. The recipient given is this contract,
        // whose delegate is always zero (it never calls `delegate` and cannot sign
        // `delegateBySig`), so no delegate's votes move: they moved per item above.
        _transferVotingUnits(address(0), address(this), total);
    }
}
