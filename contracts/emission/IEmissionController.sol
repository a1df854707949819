// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IEmissionController
 * @notice The supply policy of the credit economy: a demand-driven budget per epoch under a
 * hard annual inflation cap, a reward scale that lowers every reward when demand outruns the
 * budget, and burn-and-mint recycling. Every mint of contribution rewards is recorded here by
 * the minter (ContributionRewards) and refused if it would pass the epoch's limit.
 *
 * Epochs are opened lazily, on first use (a mint, a burn or a policy change), with no keeper;
 * however many epochs were skipped, the next one is computed in one step. Policy changes always
 * open the current epoch first, so they apply from the next epoch and never change the current
 * epoch's figures.
 *
 * The rules, applied when epoch `n + 1` opens from epoch `n`'s figures (every division rounds
 * down, in the protocol's favour; `clamp` bounds to the range given):
 *
 * - `rawDemand = demand / scale`: demand at scale 1.0, what contributors did whatever the scale
 *   paid (recorded demand is priced at the epoch's scale);
 * - utilisation deviation `d = clamp((rawDemand − budget) / budget, −1, +1)`;
 * - `base' = clamp(base × (1 + maxBudgetStep × d), budgetFloor, ceiling)`, where
 *   `ceiling = min(budgetMax, annualCap × epochLength / 365 days)`;
 * - `budget' = base' + recycleShare × burned`;
 * - `scale' = clamp(budget' / rawDemand, scale × (1 − maxScaleStep), scale × (1 + maxScaleStep))`,
 *   then `clamp(·, minRewardScale, 1)`; with no demand the target is 1;
 * - `limit' = min(budget', annualCap − mintedInWindowBefore)`.
 *
 * A skipped epoch counts as one with no demand and no burns (so burns recycled into an epoch
 * that is skipped are not carried further). Several skipped epochs are computed in one step,
 * `base × (1 − step)^k` and `scale × (1 + step)^k`, which equals stepping once per idle epoch
 * up to rounding (a few wei). See docs/tokenomics.md for a worked example.
 */
interface IEmissionController {
    /// @notice The governed parameters of the policy.
    struct Policy {
        /// @dev Seconds per epoch.
        uint48 epochLength;
        /// @dev The most the base budget moves in one epoch, in basis points (1,250 = ±12.5%).
        uint16 maxBudgetStepBps;
        /// @dev The cap on tokens minted over any 365 days, in basis points of supply.
        uint16 annualInflationBps;
        /// @dev The share of burned tokens added to the next epoch's budget, in basis points.
        uint16 recycleBps;
        /// @dev The most the reward scale moves in one epoch, in basis points.
        uint16 maxScaleStepBps;
        /// @dev The lowest reward scale (1e18 = 1.0).
        uint64 minRewardScale;
        /// @dev The lowest base budget per epoch.
        uint128 budgetFloor;
        /// @dev The highest base budget per epoch (the inflation cap may set a lower ceiling).
        uint128 budgetMax;
    }

    /// @notice A snapshot of an epoch's accounting.
    struct EpochState {
        /// @dev The epoch index (0 at deployment).
        uint256 epoch;
        /// @dev The first second of the epoch.
        uint256 start;
        /// @dev The epoch's length in seconds (not `length`, which clashes with arrays in ethers).
        uint256 duration;
        /// @dev The demand-driven base budget.
        uint256 base;
        /// @dev The epoch's budget: the base plus recycled burns.
        uint256 budget;
        /// @dev What may be minted in the epoch: `min(budget, annualCap - mintedInWindowBefore)`.
        uint256 limit;
        /// @dev Tokens minted in the epoch so far.
        uint256 minted;
        /// @dev Rewards attested in the epoch, minted or not (deferred for lack of budget).
        uint256 demand;
        /// @dev Tokens burned through {burn} in the epoch (spending, redemption).
        uint256 burned;
        /// @dev `minted - burned`: the epoch's net issuance.
        int256 netIssuance;
        /// @dev The cap on tokens minted over the trailing 365 days, from supply at epoch opening.
        uint256 annualCap;
        /// @dev Tokens minted in earlier epochs that overlap the 365 days before the epoch starts.
        uint256 mintedInWindowBefore;
        /// @dev The reward scale (1e18 = 1.0) applied to base rewards in this epoch.
        uint256 rewardScale;
        /// @dev Whether the epoch was opened (used); a projection or a skipped epoch if not.
        bool opened;
    }

    /// @dev The caller does not hold the token's MINTER_ROLE.
    error EmissionControllerUnauthorizedMinter(address caller);

    /// @dev A mint of `amount` was refused: only `remaining` is left of the epoch's limit.
    error EmissionControllerBudgetExceeded(uint256 amount, uint256 remaining);

    /// @dev The minter computed its mint for `expected` but the current epoch is `current`.
    error EmissionControllerEpochMismatch(uint256 expected, uint256 current);

    /// @dev The annual inflation share passed the hard maximum fixed in code.
    error EmissionControllerAnnualInflationTooHigh(uint256 bps, uint256 maxBps);

    /// @dev A policy parameter is out of its range (`parameter` names it).
    error EmissionControllerInvalidPolicy(string parameter);

    /// @dev Ownership of the controller cannot be renounced.
    error EmissionControllerRenounceDisabled();

    /// @dev A constructor argument is out of range.
    error EmissionControllerInvalidConfig();

    /// @dev An epoch in the future cannot be read as recorded.
    error EmissionControllerFutureEpoch(uint256 epoch, uint256 current);

    /**
     * @notice An epoch was opened (on its first use) with these figures.
     * @param epoch The epoch index.
     * @param start Its first second.
     * @param budget Its budget (base plus recycled burns).
     * @param limit What may be minted in it.
     * @param rewardScale Its reward scale (1e18 = 1.0).
     * @param annualCap The trailing-year cap in force.
     * @param mintedInWindowBefore Minted in earlier epochs of the trailing year.
     */
    event EpochOpened(
        uint256 indexed epoch,
        uint256 start,
        uint256 budget,
        uint256 limit,
        uint256 rewardScale,
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
     * @notice The policy changed, from epoch `fromEpoch` on.
     * @param oldPolicy The previous policy.
     * @param newPolicy The new policy.
     * @param fromEpoch The first epoch it applies to.
     */
    event PolicySet(Policy oldPolicy, Policy newPolicy, uint256 fromEpoch);

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
     * @notice Burns `amount` of the caller's tokens and records the burn in the current epoch;
     * a governed share of it is added to the next epoch's budget.
     * @dev Anyone may burn their own tokens this way: the burn is real, so it cannot be faked.
     * Pulls with the token's `burnFrom`, so the caller must first approve this contract.
     * Emits {Burned} (and {EpochOpened} on the epoch's first use).
     * @param amount The amount to burn.
     */
    function burn(uint256 amount) external;

    /**
     * @notice Replaces the policy from the next epoch on.
     * @dev Only callable by the owner (the timelock). Reverts with
     * {EmissionControllerInvalidPolicy} for a parameter out of range and with
     * {EmissionControllerAnnualInflationTooHigh} above {MAX_ANNUAL_INFLATION_BPS}.
     * Emits {PolicySet}.
     * @param newPolicy The new policy.
     */
    function setPolicy(Policy calldata newPolicy) external;

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
     * @notice The policy in force for epochs opened from now on.
     * @return The policy.
     */
    function policy() external view returns (Policy memory);

    /**
     * @notice The index of the current epoch.
     * @return The epoch index.
     */
    function currentEpoch() external view returns (uint256);

    /**
     * @notice The accounting of `epoch`: as recorded if it was opened; for the current epoch
     * not yet opened, as it would open now; all zeros (and `opened` false) for a past epoch
     * that was skipped.
     * @dev Reverts with {EmissionControllerFutureEpoch} for an epoch after the current one.
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
     * @notice The next epoch as it would open if the current one ended now, with its demand
     * and burns so far: for dashboards and the simulator.
     * @return state The projected next epoch.
     */
    function projectedNextEpoch() external view returns (EpochState memory state);

    /**
     * @notice Tokens minted over the trailing year as the current epoch's limit counts it: every
     * epoch that overlaps the 365 days before the current epoch's start, plus the current epoch.
     * @return The amount (a conservative count of the 365 days before now).
     */
    function mintedInTrailingYear() external view returns (uint256);
}
