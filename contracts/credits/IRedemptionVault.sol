// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PermitParams} from "../libraries/TokenPermit.sol";

/**
 * @title IRedemptionVault
 * @notice Redeems credits for a stablecoin held by the vault, at a governed rate, within a
 * per-epoch cap. Redeemed credits are burned through the EmissionController (which records
 * the burn for the supply policy).
 *
 * The rate is in the stablecoin's smallest units per whole credit (1e18 of the token's
 * smallest units), whatever the stablecoin's decimals: a rate of 10_000 with a 6-decimal
 * stablecoin pays 0.01 per credit. A payout is `amount * rate / 1e18`, rounded down (in the
 * protocol's favour). The cap counts credits redeemed in the EmissionController's current
 * epoch, so both contracts share one clock.
 *
 * The vault is funded by the treasury: a governance proposal transfers stablecoin from the
 * timelock to the vault. Only the owner (the timelock) changes the rate and the cap and takes
 * reserves back; the guardian can only pause.
 */
interface IRedemptionVault {
    /// @dev A redemption of zero credits.
    error RedemptionVaultZeroAmount();

    /// @dev `amount` credits are worth nothing at `rate` (rounded down), or the rate is zero.
    error RedemptionVaultZeroPayout(uint256 amount, uint256 rate);

    /// @dev Redeeming `amount` in `epoch` would pass the cap: only `remaining` is left.
    error RedemptionVaultEpochCapExceeded(uint256 epoch, uint256 amount, uint256 remaining);

    /// @dev The vault holds `reserves` of the stablecoin, less than the `payout` due.
    error RedemptionVaultInsufficientReserves(uint256 payout, uint256 reserves);

    /// @dev The payout is below the minimum the caller accepted.
    error RedemptionVaultPayoutBelowMinimum(uint256 payout, uint256 minPayout);

    /// @dev Only the guardian or the owner may pause.
    error RedemptionVaultUnauthorizedPauser(address caller);

    /// @dev Ownership cannot be renounced.
    error RedemptionVaultRenounceDisabled();

    /// @dev Reserves cannot be withdrawn to the zero address.
    error RedemptionVaultInvalidRecipient(address recipient);

    /// @dev A constructor argument is out of range.
    error RedemptionVaultInvalidConfig();

    /**
     * @notice `account` redeemed `amount` credits for `payout` of the stablecoin at `rate`.
     * @param account Who redeemed (and received the payout).
     * @param epoch The epoch the redemption counts in.
     * @param amount Credits redeemed (burned).
     * @param payout Stablecoin paid.
     * @param rate The rate in force: stablecoin units per whole credit.
     */
    event Redeemed(address indexed account, uint256 indexed epoch, uint256 amount, uint256 payout, uint256 rate);

    /**
     * @notice The rate changed.
     * @param oldRate The previous rate.
     * @param newRate The new rate, in stablecoin units per whole credit.
     */
    event RateSet(uint256 oldRate, uint256 newRate);

    /**
     * @notice The per-epoch cap changed; it applies at once, to what is left of the current epoch too.
     * @param oldCap The previous cap.
     * @param newCap The new cap, in credits (the token's smallest unit).
     */
    event EpochCapSet(uint256 oldCap, uint256 newCap);

    /**
     * @notice The owner took reserves out of the vault.
     * @param to The recipient.
     * @param amount The stablecoin withdrawn.
     */
    event ReservesWithdrawn(address indexed to, uint256 amount);

    /**
     * @notice The guardian changed.
     * @param oldGuardian The previous guardian.
     * @param newGuardian The new guardian.
     */
    event GuardianSet(address oldGuardian, address newGuardian);

    /**
     * @notice Redeems `amount` of the caller's credits for the stablecoin at the current rate.
     * @dev Needs an allowance of `amount` to this contract. Reverts when paused, for a zero
     * amount, a zero payout, over the epoch cap
     * (`RedemptionVaultEpochCapExceeded(epoch, amount, remaining)`), when the vault holds less
     * than the payout (`RedemptionVaultInsufficientReserves(payout, reserves)`), or below
     * `minPayout`. The credits are burned; the payout goes to the caller.
     * Emits a {Redeemed} event.
     * @param amount The credits to redeem.
     * @param minPayout The least stablecoin the caller accepts.
     * @return payout The stablecoin paid.
     */
    function redeem(uint256 amount, uint256 minPayout) external returns (uint256 payout);

    /**
     * @notice {redeem} in one transaction from a wallet: submits the caller's ERC-2612 permit first.
     * @dev A permit that fails (for instance because someone submitted it first) is ignored;
     * the redemption then needs the allowance to be in place. Emits a {Redeemed} event.
     * @param amount The credits to redeem.
     * @param minPayout The least stablecoin the caller accepts.
     * @param permit The caller's permit for this contract, for at least `amount`.
     * @return payout The stablecoin paid.
     */
    function redeemWithPermit(
        uint256 amount,
        uint256 minPayout,
        PermitParams calldata permit
    ) external returns (uint256 payout);

    /**
     * @notice Sets the rate.
     * @dev Only callable by the owner (the timelock). Zero stops redemptions. Emits {RateSet}.
     * @param newRate Stablecoin units per whole credit.
     */
    function setRate(uint256 newRate) external;

    /**
     * @notice Sets the per-epoch cap.
     * @dev Only callable by the owner. Emits {EpochCapSet}.
     * @param newCap Credits (the token's smallest unit) redeemable per epoch.
     */
    function setEpochCap(uint256 newCap) external;

    /**
     * @notice Sends stablecoin reserves back, to the treasury or elsewhere.
     * @dev Only callable by the owner. Emits {ReservesWithdrawn}.
     * @param to The recipient.
     * @param amount The stablecoin to send.
     */
    function withdrawReserves(address to, uint256 amount) external;

    /**
     * @notice Sets the guardian, who may pause and do nothing else.
     * @dev Only callable by the owner. Emits {GuardianSet}.
     * @param newGuardian The new guardian (zero for none).
     */
    function setGuardian(address newGuardian) external;

    /**
     * @notice Stops redemptions.
     * @dev Callable by the guardian or the owner. Emits {Paused}.
     */
    function pause() external;

    /**
     * @notice Resumes redemptions.
     * @dev Only callable by the owner. Emits {Unpaused}.
     */
    function unpause() external;

    /**
     * @notice The payout of redeeming `amount` credits now, ignoring the cap and the reserves.
     * @param amount The credits.
     * @return The stablecoin it pays, rounded down.
     */
    function quote(uint256 amount) external view returns (uint256);

    /**
     * @notice What can be redeemed in the current epoch.
     * @return epoch The current epoch.
     * @return cap The per-epoch cap.
     * @return redeemed The credits redeemed in it so far.
     */
    function redemptionAllowance() external view returns (uint256 epoch, uint256 cap, uint256 redeemed);

    /**
     * @notice The stablecoin the vault holds.
     * @return The balance, in the stablecoin's smallest unit.
     */
    function reserves() external view returns (uint256);

    /**
     * @notice The rate: stablecoin units per whole credit.
     * @return The rate.
     */
    function rate() external view returns (uint256);

    /**
     * @notice The per-epoch cap.
     * @return The cap, in credits (the token's smallest unit).
     */
    function epochCap() external view returns (uint256);

    /**
     * @notice The guardian, who may pause.
     * @return The guardian's address.
     */
    function guardian() external view returns (address);

    /**
     * @notice The stablecoin paid out.
     * @return The stablecoin's address.
     */
    function stablecoin() external view returns (address);
}
