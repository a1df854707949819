// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PackedContribution} from "../libraries/PackedContribution.sol";

/**
 * @title IContributionRewards
 * @notice Mints credits for contributions attested by a quorum of oracle signers.
 *
 * An attestation states facts only: a contribution id, the contributor, a category and a
 * quality in basis points. The amount is computed here:
 * `baseReward(category) * quality / 10_000 * rewardScale / 1e18`, rounded down, so no
 * attestation can name or influence an amount any other way.
 *
 * A batch is authorised by k distinct current signers signing one EIP-712 `RewardBatch` that
 * commits to every item, an off-chain manifest, the signer-set version and a deadline. A
 * single contribution can also be submitted by anyone, the contributor included, with quorum
 * signatures over one `RewardAttestation`.
 *
 * IMPORTANT: Exactly once. The on-chain key of a contribution is its `id`, a sequence number
 * the oracle assigns when it accepts a platform event; one bit per id records that it was
 * rewarded. What guarantees that one platform event never gets two ids is the oracle's store
 * (a unique constraint on the platform event id, checked by the oracle's tests); the batch's
 * `manifest` commits on-chain to the off-chain records behind the ids, so such an
 * equivocation is provable after the fact. A compromised quorum could reward one event under
 * several ids, or invent contributions, but only within the epoch budget, the annual
 * inflation cap and the governed category rates and quality bound.
 */
interface IContributionRewards {
    /// @notice One attested contribution (the EIP-712 `Contribution` struct).
    struct Contribution {
        /// @dev The oracle-assigned contribution id (its sequence number): the exactly-once key.
        uint64 id;
        /// @dev Who receives the reward.
        address contributor;
        /// @dev The category id.
        uint8 category;
        /// @dev Quality in basis points (10_000 = 1.0x), at most {maxQualityBps}.
        uint16 quality;
    }

    /**
     * @notice A batch of attested contributions (the EIP-712 `RewardBatch` struct, with
     * `contributions` packed one word per item: see {PackedContribution}).
     */
    struct RewardBatch {
        /// @dev The items, in strictly increasing id order.
        PackedContribution[] contributions;
        /// @dev Hash of the oracle's off-chain manifest for the batch (event ids, evidence, policy version).
        bytes32 manifest;
        /// @dev The signer-set version the signatures were made for.
        uint64 signerSetVersion;
        /// @dev The last second at which the batch may be processed.
        uint256 deadline;
    }

    /// @notice A category as readable from outside.
    struct CategoryView {
        /// @dev The reward for quality 1.0x at reward scale 1.0.
        uint256 baseReward;
        /// @dev Whether contributions in the category are accepted.
        bool enabled;
        /// @dev Share of each epoch's limit reserved for the category, in force this epoch.
        uint16 reserveBps;
        /// @dev The share that applies from the next epoch on.
        uint16 upcomingReserveBps;
        /// @dev The epoch of the last base-reward change (0 if never changed).
        uint256 lastRateChangeEpoch;
        /// @dev Whether the rate was changed in the current epoch (then it cannot change again before the next).
        bool rateChangedThisEpoch;
    }

    /// @notice A default category given at construction.
    struct CategoryInit {
        string name;
        uint256 baseReward;
        uint16 reserveBps;
    }

    /// @dev Fewer valid signatures than the threshold.
    error ContributionRewardsInsufficientQuorum(uint256 signatures, uint256 threshold);

    /// @dev `signer` is not in the current signer set.
    error ContributionRewardsUnauthorizedSigner(address signer);

    /// @dev Signatures must be ordered by strictly increasing signer address (no signer twice).
    error ContributionRewardsSignersNotAscending(address signer, address previous);

    /// @dev The signatures were made for signer-set `version`, but the current one is `current`.
    error ContributionRewardsStaleSignerSet(uint64 version, uint64 current);

    /// @dev The attestation's deadline has passed.
    error ContributionRewardsExpired(uint256 deadline, uint256 timestamp);

    /// @dev The batch has no contributions.
    error ContributionRewardsEmptyBatch();

    /// @dev Contribution ids in a batch must strictly increase (this also rejects an id twice).
    error ContributionRewardsIdsNotAscending(uint64 id, uint64 previous);

    /// @dev Contribution `id` was already rewarded.
    error ContributionRewardsAlreadyRewarded(uint64 id);

    /// @dev A batch whose every item was deferred was sent again.
    error ContributionRewardsBatchReplayed(bytes32 digest);

    /// @dev No category has this id.
    error ContributionRewardsUnknownCategory(uint8 category);

    /// @dev The category is disabled.
    error ContributionRewardsCategoryDisabled(uint8 category);

    /// @dev The quality is zero or above the governed maximum.
    error ContributionRewardsQualityOutOfRange(uint64 id, uint16 quality, uint16 maxQuality);

    /// @dev The contributor of contribution `id` is the zero address.
    error ContributionRewardsInvalidContributor(uint64 id);

    /// @dev The signer set is empty, too large, or the threshold is not within 1..n.
    error ContributionRewardsInvalidSignerSet(uint256 signers, uint256 threshold);

    /// @dev The signer set contains the zero address.
    error ContributionRewardsZeroSigner();

    /// @dev The signer set contains `signer` twice.
    error ContributionRewardsDuplicateSigner(address signer);

    /// @dev A base reward outside the hard limits fixed at deployment.
    error ContributionRewardsBaseRewardOutOfBounds(uint256 baseReward, uint256 minReward, uint256 maxReward);

    /// @dev A base-reward change by more than the fixed factor per epoch.
    error ContributionRewardsRateChangeTooLarge(uint256 oldReward, uint256 newReward);

    /// @dev The category's base reward already changed in `epoch`.
    error ContributionRewardsRateChangedThisEpoch(uint8 category, uint256 epoch);

    /// @dev The reserves would sum past the whole limit.
    error ContributionRewardsReserveTooHigh(uint256 totalBps);

    /// @dev The maximum quality is zero or above the hard limit.
    error ContributionRewardsMaxQualityOutOfBounds(uint256 maxQualityBps, uint256 hardLimitBps);

    /// @dev All 256 category ids are taken.
    error ContributionRewardsTooManyCategories();

    /// @dev Only the guardian or the owner may pause.
    error ContributionRewardsUnauthorizedPauser(address caller);

    /// @dev Ownership cannot be renounced.
    error ContributionRewardsRenounceDisabled();

    /// @dev A constructor argument is out of range.
    error ContributionRewardsInvalidConfig();

    /// @dev The emission controller reported a reward scale above 1.0 (1e18).
    error ContributionRewardsInvalidRewardScale(uint256 scale);

    /**
     * @notice Contribution `contributionId` was rewarded with `amount` tokens.
     * @param contributionId The oracle-assigned contribution id.
     * @param contributor The recipient.
     * @param category The category id.
     * @param quality The attested quality, in basis points.
     * @param amount The tokens minted.
     */
    event ContributionRewarded(
        uint64 indexed contributionId,
        address indexed contributor,
        uint8 category,
        uint16 quality,
        uint256 amount
    );

    /**
     * @notice Contribution `contributionId` did not fit the budget and was not rewarded; send it again later.
     * @param contributionId The oracle-assigned contribution id.
     * @param contributor The would-be recipient.
     * @param category The category id.
     * @param quality The attested quality, in basis points.
     * @param amount The reward it would have received now (counted as demand).
     */
    event ContributionDeferred(
        uint64 indexed contributionId,
        address indexed contributor,
        uint8 category,
        uint16 quality,
        uint256 amount
    );

    /**
     * @notice A batch was processed: `rewarded` items minted `minted` tokens, `deferred` items await budget.
     * @param digest The EIP-712 digest the quorum signed.
     * @param manifest The oracle's manifest hash for the batch.
     * @param epoch The emission epoch.
     * @param rewarded Items rewarded.
     * @param deferred Items deferred.
     * @param minted Tokens minted.
     */
    event BatchProcessed(
        bytes32 indexed digest,
        bytes32 manifest,
        uint256 indexed epoch,
        uint256 rewarded,
        uint256 deferred,
        uint256 minted
    );

    /**
     * @notice The signer set was replaced.
     * @param version The new signer-set version, which signatures must name.
     * @param signers The new signers.
     * @param threshold The number of signatures required.
     */
    event SignerSetUpdated(uint64 indexed version, address[] signers, uint256 threshold);

    /**
     * @notice A category was added.
     * @param category The new category id.
     * @param name Its human-readable name.
     * @param baseReward Its base reward.
     * @param reserveBps Its reserved share of each epoch's limit.
     * @param fromEpoch The first epoch of the reserve.
     */
    event CategoryAdded(uint8 indexed category, string name, uint256 baseReward, uint16 reserveBps, uint256 fromEpoch);

    /**
     * @notice A category's base reward changed.
     * @param category The category id.
     * @param oldReward The previous base reward.
     * @param newReward The new base reward.
     */
    event CategoryBaseRewardSet(uint8 indexed category, uint256 oldReward, uint256 newReward);

    /**
     * @notice A category was enabled or disabled.
     * @param category The category id.
     * @param enabled Whether it accepts contributions.
     */
    event CategoryEnabledSet(uint8 indexed category, bool enabled);

    /**
     * @notice A category's reserved share changes from `fromEpoch` on.
     * @param category The category id.
     * @param oldBps The share scheduled before this change.
     * @param newBps The new share.
     * @param fromEpoch The first epoch of the new share.
     */
    event CategoryReserveSet(uint8 indexed category, uint16 oldBps, uint16 newBps, uint256 fromEpoch);

    /**
     * @notice The maximum quality changed.
     * @param oldBps The previous maximum.
     * @param newBps The new maximum.
     */
    event MaxQualitySet(uint16 oldBps, uint16 newBps);

    /**
     * @notice The guardian changed.
     * @param oldGuardian The previous guardian.
     * @param newGuardian The new guardian.
     */
    event GuardianSet(address oldGuardian, address newGuardian);

    /**
     * @notice Rewards a batch of attested contributions.
     * @dev Callable by anyone holding the quorum's signatures; reverts when paused. Each item
     * is minted if it fits the epoch's remaining limit (respecting the categories' reserved
     * shares), otherwise deferred: not rewarded, reported with {ContributionDeferred}, counted
     * as demand, to be sent again in a later batch. The whole batch reverts on any invalid item
     * (unknown or disabled category, quality out of range, an id already rewarded or out of
     * order). Emits {ContributionRewarded} or {ContributionDeferred} per item and one
     * {BatchProcessed}.
     * @param batch The batch, as signed.
     * @param signatures At least `threshold` signatures of current signers over
     * {hashRewardBatch}, ordered by strictly increasing signer address.
     * @return rewarded The number of contributions rewarded.
     * @return minted The tokens minted.
     */
    function rewardBatch(
        RewardBatch calldata batch,
        bytes[] calldata signatures
    ) external returns (uint256 rewarded, uint256 minted);

    /**
     * @notice Rewards one attested contribution; anyone, the contributor included, may submit it.
     * @dev Reverts when paused, and with `EmissionControllerBudgetExceeded(amount, available)`
     * if it does not fit the budget (send it again in a later epoch). Emits {ContributionRewarded}.
     * @param contribution The attested contribution.
     * @param signerSetVersion The signer-set version the signatures were made for.
     * @param deadline The last second at which the attestation may be used.
     * @param signatures At least `threshold` signatures of current signers over
     * {hashRewardAttestation}, ordered by strictly increasing signer address.
     * @return amount The tokens minted to the contributor.
     */
    function rewardContribution(
        Contribution calldata contribution,
        uint64 signerSetVersion,
        uint256 deadline,
        bytes[] calldata signatures
    ) external returns (uint256 amount);

    /**
     * @notice Replaces the signer set; every signature made for the previous set stops counting.
     * @dev Only callable by the owner (the timelock). Reverts unless 1 <= threshold <= n <=
     * {MAX_SIGNERS}, with no zero address and no duplicate. Emits {SignerSetUpdated}.
     * @param signers The new signers, in any order.
     * @param threshold The number of distinct signatures required (k).
     */
    function setSigners(address[] calldata signers, uint256 threshold) external;

    /**
     * @notice Adds a category; its reserved share applies from the next epoch.
     * @dev Only callable by the owner. The base reward must lie within the hard limits.
     * Emits {CategoryAdded}.
     * @param name A human-readable name (in the event only).
     * @param baseReward The reward for quality 1.0x at reward scale 1.0.
     * @param reserveBps The share of each epoch's limit reserved for the category.
     * @return category The new category id.
     */
    function addCategory(string calldata name, uint256 baseReward, uint16 reserveBps) external returns (uint8 category);

    /**
     * @notice Changes a category's base reward, at most by the fixed factor and once per epoch.
     * @dev Only callable by the owner. The new reward must lie within the hard limits and
     * within [old / {RATE_CHANGE_FACTOR}, old * {RATE_CHANGE_FACTOR}]. Emits {CategoryBaseRewardSet}.
     * @param category The category id.
     * @param newReward The new base reward.
     */
    function setBaseReward(uint8 category, uint256 newReward) external;

    /**
     * @notice Enables or disables a category.
     * @dev Only callable by the owner. Emits {CategoryEnabledSet}.
     * @param category The category id.
     * @param enabled Whether contributions in the category are accepted.
     */
    function setCategoryEnabled(uint8 category, bool enabled) external;

    /**
     * @notice Sets the share of each epoch's limit reserved for a category, from the next epoch.
     * @dev Only callable by the owner. All reserves together may not exceed 100%.
     * Emits {CategoryReserveSet}.
     * @param category The category id.
     * @param reserveBps The reserved share, in basis points.
     */
    function setCategoryReserve(uint8 category, uint16 reserveBps) external;

    /**
     * @notice Sets the maximum quality (the maximum multiplier) an attestation may state.
     * @dev Only callable by the owner; between 1 and {MAX_QUALITY_LIMIT_BPS}. Emits {MaxQualitySet}.
     * @param maxQualityBps_ The maximum quality, in basis points.
     */
    function setMaxQuality(uint16 maxQualityBps_) external;

    /**
     * @notice Sets the guardian, who may pause and do nothing else.
     * @dev Only callable by the owner. Emits {GuardianSet}.
     * @param newGuardian The new guardian (zero for none).
     */
    function setGuardian(address newGuardian) external;

    /**
     * @notice Stops all reward minting.
     * @dev Callable by the guardian or the owner. Emits {Paused}.
     */
    function pause() external;

    /**
     * @notice Resumes reward minting.
     * @dev Only callable by the owner (a leaked guardian key can stop minting, never restart it).
     * Emits {Unpaused}.
     */
    function unpause() external;

    /**
     * @notice The EIP-712 digest the quorum signs for `batch`.
     * @param batch The batch.
     * @return The digest.
     */
    function hashRewardBatch(RewardBatch calldata batch) external view returns (bytes32);

    /**
     * @notice The EIP-712 digest the quorum signs for one contribution.
     * @param contribution The contribution.
     * @param signerSetVersion The signer-set version.
     * @param deadline The deadline.
     * @return The digest.
     */
    function hashRewardAttestation(
        Contribution calldata contribution,
        uint64 signerSetVersion,
        uint256 deadline
    ) external view returns (bytes32);

    /**
     * @notice Whether contribution `id` was rewarded.
     * @param id The contribution id.
     * @return True once rewarded (it can never be rewarded again).
     */
    function isRewarded(uint64 id) external view returns (bool);

    /**
     * @notice The amount a contribution would be rewarded with now.
     * @param category The category id.
     * @param quality The quality, in basis points.
     * @return amount The reward at the current reward scale.
     */
    function quote(uint8 category, uint16 quality) external view returns (uint256 amount);

    /**
     * @notice How much `category` can still mint in the current epoch: the remaining limit
     * minus what other categories keep in reserve.
     * @param category The category id.
     * @return The amount available to the category.
     */
    function available(uint8 category) external view returns (uint256);

    /**
     * @notice A category's configuration.
     * @param category The category id.
     * @return The category.
     */
    function categoryConfig(uint8 category) external view returns (CategoryView memory);

    /**
     * @notice The number of categories; ids are 0 to count - 1.
     * @return The count.
     */
    function categoryCount() external view returns (uint256);

    /**
     * @notice The current signer set.
     * @return signers The signers.
     * @return threshold The number of signatures required.
     * @return version The signer-set version signatures must name.
     */
    function signerSet() external view returns (address[] memory signers, uint256 threshold, uint64 version);

    /**
     * @notice The maximum quality an attestation may state.
     * @return The maximum, in basis points.
     */
    function maxQualityBps() external view returns (uint16);

    /**
     * @notice The guardian, who may pause.
     * @return The guardian's address.
     */
    function guardian() external view returns (address);
}
