// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IEmissionController
 * @notice The supply policy of the credit economy. Time is cut into epochs; each epoch has a
 * mint limit: its budget, lowered if needed so that the tokens minted over the trailing 365
 * days stay within the annual inflation cap. Every mint of contribution rewards is recorded
 * here by the minter (ContributionRewards) and rejected if it would pass the limit.
 *
 * Epoch accounting is lazy: an epoch's record is opened on its first use (a mint or a
 * parameter change), with no keeper, whatever the number of epochs skipped since the last one.
 * Parameter changes always open the current epoch first, so they apply from the next epoch and
 * never change the current epoch's limit.
 */
interface IEmissionController {
    /// @notice A snapshot of an epoch's accounting.
    struct EpochState {
        /// @dev The epoch index (0 at `genesisTime`).
        uint256 epoch;
        /// @dev The first second of the epoch.
        uint256 start;
        /// @dev The epoch's budget.
        uint256 budget;
        /// @dev What may be minted in the epoch: `min(budget, annualCap - mintedInWindowBefore)`.
        uint256 limit;
        /// @dev Tokens minted in the epoch so far.
        uint256 minted;
        /// @dev Rewards attested in the epoch, minted or not (deferred for lack of budget).
        uint256 demand;
        /// @dev Tokens burned through {burn} in the epoch (spending, redemption).
        uint256 burned;
        /// @dev The cap on tokens minted over the trailing 365 days, from supply at epoch opening.
        uint256 annualCap;
        /// @dev Tokens minted in earlier epochs that overlap the trailing 365 days.
        uint256 mintedInWindowBefore;
        /// @dev The reward scale (1e18 = 1.0) applied to base rewards in this epoch.
        uint256 rewardScale;
    }

    /// @dev The caller does not hold the token's MINTER_ROLE.
    error EmissionControllerUnauthorizedMinter(address caller);

    /// @dev A mint of `amount` was refused: only `remaining` is left of the epoch's limit.
    error EmissionControllerBudgetExceeded(uint256 amount, uint256 remaining);

    /// @dev The minter computed its mint for `expected` but the current epoch is `current`.
    error EmissionControllerEpochMismatch(uint256 expected, uint256 current);

    /// @dev The annual inflation share passed the hard maximum fixed in code.
    error EmissionControllerAnnualInflationTooHigh(uint256 bps, uint256 maxBps);

    /// @dev Ownership of the controller cannot be renounced.
    error EmissionControllerRenounceDisabled();

    /// @dev A constructor argument is out of range.
    error EmissionControllerInvalidConfig();

    /**
     * @notice An epoch was opened (on its first use) with these figures.
     * @param epoch The epoch index.
     * @param budget Its budget.
     * @param limit What may be minted in it.
     * @param annualCap The trailing-year cap in force.
     * @param mintedInWindowBefore Minted in earlier epochs of the trailing year.
     */
    event EpochOpened(
        uint256 indexed epoch,
        uint256 budget,
        uint256 limit,
        uint256 annualCap,
        uint256 mintedInWindowBefore
    );

    /**
     * @notice A minter recorded a mint.
     * @param epoch The epoch.
     * @param minter The minter (ContributionRewards).
     * @param minted Tokens minted.
     * @param demand Rewards attested, minted or deferred.
     */
    event MintRecorded(uint256 indexed epoch, address indexed minter, uint256 minted, uint256 demand);

    /**
     * @notice Tokens were burned through the controller.
     * @param epoch The epoch the burn counts in.
     * @param burner Whose tokens were burned (CreditSpender, RedemptionVault, or anyone).
     * @param amount The amount burned.
     */
    event Burned(uint256 indexed epoch, address indexed burner, uint256 amount);

    /**
     * @notice The per-epoch budget changed.
     * @param oldBudget The previous budget.
     * @param newBudget The new budget.
     * @param fromEpoch The first epoch it applies to.
     */
    event EpochBudgetSet(uint256 oldBudget, uint256 newBudget, uint256 fromEpoch);

    /**
     * @notice The annual inflation cap changed.
     * @param oldBps The previous cap, in basis points of supply.
     * @param newBps The new cap.
     * @param fromEpoch The first epoch it applies to.
     */
    event AnnualInflationSet(uint256 oldBps, uint256 newBps, uint256 fromEpoch);

    /**
     * @notice Records a mint of `minted` tokens, and `demand` attested rewards (minted or
     * deferred), in the current epoch. Opens the epoch first if needed.
     * @dev Only callable by holders of the token's MINTER_ROLE. Reverts with
     * {EmissionControllerBudgetExceeded} if `minted` does not fit the epoch's remaining limit,
     * and with {EmissionControllerEpochMismatch} if `epoch` is not the current epoch.
     * Emits {MintRecorded} (and {EpochOpened} on the epoch's first use).
     * @param epoch The epoch the minter computed against (from {mintAllowance}).
     * @param minted Tokens about to be minted.
     * @param demand Rewards attested, including the ones deferred for lack of budget.
     */
    function recordMint(uint256 epoch, uint256 minted, uint256 demand) external;

    /**
     * @notice Burns `amount` of the caller's tokens and records the burn in the current epoch
     * (the supply policy recycles a governed share of burns into later budgets).
     * @dev Anyone may burn their own tokens this way: the burn is real, so it cannot be faked.
     * Pulls with the token's `burnFrom`, so the caller must first approve this contract.
     * Emits {Burned} (and {EpochOpened} on the epoch's first use).
     * @param amount The amount to burn.
     */
    function burn(uint256 amount) external;

    /**
     * @notice Sets the budget of every epoch from the next one on.
     * @dev Only callable by the owner (the timelock). Emits {EpochBudgetSet}.
     * @param newBudget The per-epoch budget, in the token's smallest unit.
     */
    function setEpochBudget(uint256 newBudget) external;

    /**
     * @notice Sets the annual inflation cap, in basis points of supply, from the next epoch on.
     * @dev Only callable by the owner (the timelock); at most {MAX_ANNUAL_INFLATION_BPS}.
     * Emits {AnnualInflationSet}.
     * @param newBps The share of supply that may be minted over any 365 days.
     */
    function setAnnualInflationBps(uint256 newBps) external;

    /**
     * @notice The hard maximum of the annual inflation cap, fixed in code.
     * @return The maximum, in basis points of supply.
     */
    function MAX_ANNUAL_INFLATION_BPS() external view returns (uint256); // solhint-disable-line func-name-mixedcase

    /**
     * @notice The token whose supply this controller meters.
     * @return The token's address.
     */
    function token() external view returns (address);

    /**
     * @notice The index of the epoch containing `timestamp`.
     * @param timestamp A Unix timestamp, at or after `genesisTime`.
     * @return The epoch index.
     */
    function epochAt(uint256 timestamp) external view returns (uint256);

    /**
     * @notice The index of the current epoch.
     * @return The epoch index.
     */
    function currentEpoch() external view returns (uint256);

    /**
     * @notice The accounting of `epoch`: as recorded if it was opened, otherwise as it would
     * open now (for the current or a future epoch).
     * @param epoch The epoch index.
     * @return state The epoch's figures.
     */
    function epochState(uint256 epoch) external view returns (EpochState memory state);

    /**
     * @notice What the minter may mint right now.
     * @return epoch The current epoch.
     * @return limit The current epoch's limit.
     * @return minted What was minted in the current epoch so far.
     * @return rewardScale The reward scale (1e18 = 1.0).
     */
    function mintAllowance() external view returns (uint256 epoch, uint256 limit, uint256 minted, uint256 rewardScale);

    /**
     * @notice The per-epoch budget that applies from the next epoch on.
     * @return The budget, in the token's smallest unit.
     */
    function epochBudget() external view returns (uint256);

    /**
     * @notice The annual inflation cap that applies from the next epoch on.
     * @return The cap, in basis points of supply.
     */
    function annualInflationBps() external view returns (uint256);

    /**
     * @notice Tokens minted over the trailing year as the current epoch's limit counts it: every
     * epoch that overlaps the 365 days before the current epoch's start, plus the current epoch.
     * @return The amount (a conservative count of the 365 days before now).
     */
    function mintedInTrailingYear() external view returns (uint256);
}
