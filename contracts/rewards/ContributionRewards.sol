// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {IEmissionController} from "../emission/IEmissionController.sol";
import {EpochScheduled} from "../libraries/EpochScheduled.sol";
import {PackedContribution, PackedContributionLib} from "../libraries/PackedContribution.sol";
import {ICreditToken} from "../token/ICreditToken.sol";
import {IContributionRewards} from "./IContributionRewards.sol";

/**
 * @title ContributionRewards
 * @notice Mints credits for contributions attested by a k-of-n quorum of oracle signers, within
 * the epoch limit set by the EmissionController, at governed per-category rates.
 *
 * Where the gas goes (see docs/rewards-gas.md): per item, the recipient's balance write, the
 * read of its delegate (ERC20Votes), the token's Transfer log and our ContributionRewarded log
 * are the floor; everything else is kept to calldata (one word per item), memory and warm
 * storage: one bit per contribution in a bitmap (a fresh slot serves 256 ids), category reads,
 * and one call into the token for the whole batch. Signature checks, the budget and the
 * reservation ledger are paid once per batch.
 *
 * Trade-offs taken deliberately:
 * - Ids in a batch must strictly increase. This makes an id twice in one batch impossible
 *   without a lookup, and lets the bitmap be read and written one 256-bit word at a time.
 * - Signatures must be ordered by signer address, which makes "k distinct signers" a
 *   comparison with the previous signer instead of a set.
 * - A contribution that does not fit the budget is deferred, not rejected and not accrued:
 *   see {rewardBatch} and docs/rewards.md for why.
 *
 * IMPORTANT: Governance bounds. Every setter is the owner's (the timelock's); the guardian can
 * only pause, and only the owner unpauses. Each base reward stays within hard limits fixed at
 * deployment and moves by at most x2 or /2 once per epoch, so even a captured governance turns
 * the dial slowly. Quality is bounded by a governed maximum under a hard limit in code.
 */
contract ContributionRewards is IContributionRewards, EIP712, Ownable2Step, Pausable {
    using BitMaps for BitMaps.BitMap;
    using PackedContributionLib for PackedContribution;
    using SafeCast for uint256;

    /// @notice Basis points denominator: quality 10_000 is 1.0x.
    uint256 public constant BPS = 10_000;
    /// @notice Fixed-point unit of the reward scale.
    uint256 public constant WAD = 1e18;
    /// @notice The most signers a set may have (bounds the set update loop).
    uint256 public constant MAX_SIGNERS = 32;
    /// @notice Hard limit of the governed maximum quality: 5.0x.
    uint16 public constant MAX_QUALITY_LIMIT_BPS = 50_000;
    /// @notice The most a base reward may move in one change (x2 or /2), once per epoch.
    uint256 public constant RATE_CHANGE_FACTOR = 2;

    uint256 private constant _LOADED = 1 << 255;
    uint256 private constant _NO_WORD = type(uint256).max;

    // Why {_settleFast} stopped (the values are written in its assembly).
    uint256 private constant _DONE = 0;
    uint256 private constant _LOAD_CATEGORY = 1;
    uint256 private constant _DEFER = 2;
    uint256 private constant _BAD_ORDER = 3;
    uint256 private constant _NON_CANONICAL = 4;
    uint256 private constant _ZERO_CONTRIBUTOR = 5;
    uint256 private constant _BAD_QUALITY = 6;
    uint256 private constant _ALREADY_REWARDED = 7;
    uint256 private constant _BASE_REWARD_MASK = type(uint128).max;

    bytes32 private constant _CONTRIBUTION_TYPEHASH = keccak256(
        "Contribution(uint64 id,address contributor,uint8 category,uint16 quality)"
    );
    bytes32 private constant _REWARD_BATCH_TYPEHASH = keccak256(
        "RewardBatch(Contribution[] contributions,bytes32 manifest,uint64 signerSetVersion,uint256 deadline)"
        "Contribution(uint64 id,address contributor,uint8 category,uint16 quality)"
    );
    bytes32 private constant _REWARD_ATTESTATION_TYPEHASH = keccak256(
        "RewardAttestation(Contribution contribution,uint64 signerSetVersion,uint256 deadline)"
        "Contribution(uint64 id,address contributor,uint8 category,uint16 quality)"
    );

    /// @dev A category, packed in one slot (read once per item, warm after the first).
    struct Category {
        uint128 baseReward;
        uint32 lastRateChangeEpochPlusOne; // 0: never changed
        uint16 reservePrevious; // EpochScheduled.Uint16, flattened to share the slot
        uint16 reserveValue;
        uint32 reserveFromEpoch;
        bool enabled;
        bool exists;
    }

    /**
     * @dev The reserves of all categories, in one slot: their total share (an
     * EpochScheduled.Uint16, flattened) and how much of them categories drew on in epoch
     * `epochPlusOne - 1` (`epochPlusOne` 0: none recorded). What is still reserved is derived
     * from the limit each time, so a limit that grows within the epoch (a burn makes room under
     * the token cap) keeps reserves and their use consistent.
     */
    struct ReserveLedger {
        uint16 totalPrevious;
        uint16 totalValue;
        uint32 totalFromEpoch;
        uint64 epochPlusOne;
        uint128 usedTotal;
    }

    /// @dev What a category drew from its own reserve in `epoch`.
    struct ReserveUse {
        uint64 epoch;
        uint192 used;
    }

    /**
     * @dev The budget as seen by one call, in memory. A contribution of category `c` fits when
     * `amount <= reserveLeft[c] + shared`: it draws on its category's reserve first, then on
     * the shared pool `limit - minted - (reserves not yet used)`. So no category can take what
     * another still has in reserve, and nothing passes the epoch's limit.
     */
    struct Budget {
        uint256 epoch;
        uint256 limit;
        uint256 minted; // in the epoch before this call
        uint256 scale;
        uint256 maxQuality;
        uint256 shared; // the shared pool left
        uint256 unused; // every category's reserve not yet used, before this call
        uint256 loadedMask; // bit c: category c is loaded in the arrays below
        uint256[256] baseRewards; // category c's base reward | _LOADED, or 0 before it is loaded
        uint256[256] reserveLeft; // category c's reserve not yet used
        uint256[256] reserves; // category c's whole reserve for the epoch
        // Add new fields here, at the end: _settleFast reads the fields above by their offset.
        uint256 usedTotal; // reserves drawn on in the epoch, before this call
    }

    /// @dev The outcome of one batch, in memory.
    struct Settlement {
        bytes32[] itemHashes; // EIP-712 hashStruct of every item
        address[] recipients; // of the items that fit, in order (first `rewarded` entries)
        uint256[] amounts;
        uint256 rewarded;
        uint256 minted;
        uint256 demand; // every item's amount, minted or deferred
    }

    // The loop state {_settleFast} shares with {_settle}: a fixed array, so that the assembly
    // reads it by index, never by a struct's field offsets.
    uint256 private constant _C_INDEX = 0; // the item the fast path stopped at
    uint256 private constant _C_NEXT_MIN_ID = 1; // the smallest id the next item may have
    uint256 private constant _C_WORD_INDEX = 2; // the bitmap word held in _C_BITS (_NO_WORD: none)
    uint256 private constant _C_BITS = 3;
    uint256 private constant _C_STATUS = 4; // _DONE or why it stopped
    uint256 private constant _C_AMOUNT = 5; // the price of a deferred item
    // The values {_settleFast} reads from the budget and the settlement, framed the same way.
    uint256 private constant _F_BASE_REWARDS = 0; // pointer to Budget.baseRewards
    uint256 private constant _F_RESERVE_LEFT = 1; // pointer to Budget.reserveLeft
    uint256 private constant _F_HASHES = 2; // pointer to the first element of Settlement.itemHashes
    uint256 private constant _F_RECIPIENTS = 3; // ... of Settlement.recipients
    uint256 private constant _F_AMOUNTS = 4; // ... of Settlement.amounts
    uint256 private constant _F_SCALE = 5;
    uint256 private constant _F_MAX_QUALITY = 6;
    uint256 private constant _F_SHARED = 7; // read and written
    uint256 private constant _F_REWARDED = 8; // read and written
    uint256 private constant _F_MINTED = 9; // read and written

    /// @notice The credit token (this contract holds its MINTER_ROLE).
    ICreditToken public immutable token;
    /// @notice The supply policy every mint is recorded with.
    IEmissionController public immutable emission;
    /// @notice Lowest base reward governance may set (fixed at deployment).
    uint256 public immutable minBaseReward;
    /// @notice Highest base reward governance may set (fixed at deployment).
    uint256 public immutable maxBaseReward;

    BitMaps.BitMap private _rewarded;
    mapping(bytes32 digest => bool) private _deferredBatches;
    mapping(uint8 category => Category) private _categories;
    uint256 private _categoryCount;
    ReserveLedger private _reserveLedger;
    mapping(uint8 category => ReserveUse) private _reserveUse;

    address[] private _signers;
    mapping(address signer => uint64 version) private _signerVersion;
    uint64 private _signerSetVersion;
    uint8 private _threshold;
    uint16 private _maxQualityBps;
    address private _guardian;

    /**
     * @notice Deploys the rewards contract with its default categories and first signer set.
     * @param token_ The credit token.
     * @param emission_ The EmissionController metering the same token.
     * @param owner_ The owner of every setter: the governance timelock.
     * @param guardian_ The guardian, who may pause (zero for none).
     * @param minBaseReward_ Hard lower limit of every base reward.
     * @param maxBaseReward_ Hard upper limit of every base reward.
     * @param maxQualityBps_ The governed maximum quality (at most {MAX_QUALITY_LIMIT_BPS}).
     * @param signers The first signer set.
     * @param threshold The number of signatures required.
     * @param categories The default categories; their ids are their positions.
     */
    constructor(
        ICreditToken token_,
        IEmissionController emission_,
        address owner_,
        address guardian_,
        uint256 minBaseReward_,
        uint256 maxBaseReward_,
        uint16 maxQualityBps_,
        address[] memory signers,
        uint256 threshold,
        CategoryInit[] memory categories
    ) EIP712("ContributionRewards", "1") Ownable(owner_) {
        if (
            address(token_) == address(0) ||
            emission_.token() != address(token_) ||
            minBaseReward_ == 0 ||
            minBaseReward_ > maxBaseReward_ ||
            maxBaseReward_ > type(uint128).max
        ) revert ContributionRewardsInvalidConfig();
        token = token_;
        emission = emission_;
        minBaseReward = minBaseReward_;
        maxBaseReward = maxBaseReward_;
        _setMaxQuality(maxQualityBps_);
        _setGuardian(guardian_);
        _setSigners(signers, threshold);
        uint256 epoch = emission_.currentEpoch();
        uint256 totalReserve;
        for (uint256 i = 0; i < categories.length; ++i) {
            CategoryInit memory init = categories[i];
            _addCategory(init.name, init.baseReward, init.reserveBps, epoch);
            totalReserve += init.reserveBps;
        }
        // Default reserves apply from the deployment epoch: nothing was minted against it yet.
        if (totalReserve > BPS) revert ContributionRewardsReserveTooHigh(totalReserve);
        _reserveLedger.totalValue = uint16(totalReserve);
    }

    // ------------------------------------------------------------------ minting

    /// @inheritdoc IContributionRewards
    function rewardBatch(
        RewardBatch calldata batch,
        bytes[] calldata signatures
    ) external whenNotPaused returns (uint256 rewarded, uint256 minted) {
        PackedContribution[] calldata items = batch.contributions;
        if (items.length == 0) revert ContributionRewardsEmptyBatch();
        _checkFreshness(batch.signerSetVersion, batch.deadline);

        // One pass validates, prices, hashes and settles every item. The quorum is checked on
        // the resulting digest before anything leaves this contract; if it fails, the whole
        // call reverts, bitmap writes and events included.
        Budget memory budget = _loadBudget();
        Settlement memory settlement = _settle(items, budget);
        bytes32 digest = _batchDigest(batch, _hashArray(settlement.itemHashes));
        _verifyQuorum(digest, signatures);

        (rewarded, minted) = (settlement.rewarded, settlement.minted);
        if (rewarded == 0) {
            // Nothing was marked rewarded, so only the digest stops a replay from inflating demand.
            if (_deferredBatches[digest]) revert ContributionRewardsBatchReplayed(digest);
            _deferredBatches[digest] = true;
        }
        _storeReserves(budget);

        // Interactions, with our own trusted contracts only.
        emission.recordMint(budget.epoch, minted, settlement.demand);
        if (rewarded > 0) _mintBatch(settlement.recipients, settlement.amounts, rewarded);
        emit BatchProcessed(digest, batch.manifest, budget.epoch, rewarded, items.length - rewarded, minted);
    }

    /// @inheritdoc IContributionRewards
    function rewardContribution(
        Contribution calldata contribution,
        uint64 signerSetVersion,
        uint256 deadline,
        bytes[] calldata signatures
    ) external whenNotPaused returns (uint256 amount) {
        _checkFreshness(signerSetVersion, deadline);
        Contribution memory item = contribution;
        _verifyQuorum(_attestationDigest(item, signerSetVersion, deadline), signatures);
        if (_rewarded.get(item.id)) revert ContributionRewardsAlreadyRewarded(item.id);

        Budget memory budget = _loadBudget();
        amount = _price(budget, item.id, item.contributor, item.category, item.quality);
        if (!_fit(budget, item.category, amount)) {
            uint256 availableToCategory = budget.reserveLeft[item.category] + budget.shared;
            revert IEmissionController.EmissionControllerBudgetExceeded(amount, availableToCategory);
        }
        _rewarded.set(item.id);
        _storeReserves(budget);
        emission.recordMint(budget.epoch, amount, amount);
        token.mint(item.contributor, amount);
        emit ContributionRewarded(item.id, item.contributor, item.category, item.quality, amount);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IContributionRewards
    function setSigners(address[] calldata signers, uint256 threshold) external onlyOwner {
        _setSigners(signers, threshold);
    }

    /// @inheritdoc IContributionRewards
    function addCategory(
        string calldata name,
        uint256 baseReward,
        uint16 reserveBps
    ) external onlyOwner returns (uint8 category) {
        uint256 epoch = emission.currentEpoch();
        category = _addCategory(name, baseReward, 0, epoch);
        if (reserveBps > 0) _scheduleReserve(category, reserveBps, epoch);
    }

    /// @inheritdoc IContributionRewards
    function setBaseReward(uint8 category, uint256 newReward) external onlyOwner {
        Category storage c = _existing(category);
        uint256 epoch = emission.currentEpoch();
        if (c.lastRateChangeEpochPlusOne == epoch + 1) revert ContributionRewardsRateChangedThisEpoch(category, epoch);
        uint256 oldReward = c.baseReward;
        _checkBaseReward(newReward);
        if (newReward > oldReward * RATE_CHANGE_FACTOR || newReward * RATE_CHANGE_FACTOR < oldReward) {
            revert ContributionRewardsRateChangeTooLarge(oldReward, newReward);
        }
        c.baseReward = uint128(newReward);
        c.lastRateChangeEpochPlusOne = (epoch + 1).toUint32();
        emit CategoryBaseRewardSet(category, oldReward, newReward);
    }

    /// @inheritdoc IContributionRewards
    function setCategoryEnabled(uint8 category, bool enabled) external onlyOwner {
        _existing(category).enabled = enabled;
        emit CategoryEnabledSet(category, enabled);
    }

    /// @inheritdoc IContributionRewards
    function setCategoryReserve(uint8 category, uint16 reserveBps) external onlyOwner {
        _existing(category);
        _scheduleReserve(category, reserveBps, emission.currentEpoch());
    }

    /// @inheritdoc IContributionRewards
    function setMaxQuality(uint16 maxQualityBps_) external onlyOwner {
        _setMaxQuality(maxQualityBps_);
    }

    /// @inheritdoc IContributionRewards
    function setGuardian(address newGuardian) external onlyOwner {
        _setGuardian(newGuardian);
    }

    /// @inheritdoc IContributionRewards
    function pause() external {
        if (msg.sender != _guardian && msg.sender != owner()) revert ContributionRewardsUnauthorizedPauser(msg.sender);
        _pause();
    }

    /// @inheritdoc IContributionRewards
    function unpause() external onlyOwner {
        _unpause();
    }

    /**
     * @notice Ownership cannot be renounced: the setters must always have an owner (the timelock).
     * @dev Always reverts (with {ContributionRewardsRenounceDisabled} for the owner).
     */
    function renounceOwnership() public view override onlyOwner {
        revert ContributionRewardsRenounceDisabled();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IContributionRewards
    function hashRewardBatch(RewardBatch calldata batch) external view returns (bytes32) {
        PackedContribution[] calldata items = batch.contributions;
        bytes32[] memory itemHashes = new bytes32[](items.length);
        for (uint256 i = 0; i < items.length; ++i) {
            (uint64 id, address contributor, uint8 categoryId, uint16 quality) = items[i].unpack();
            itemHashes[i] = _hashContribution(id, contributor, categoryId, quality);
        }
        return _batchDigest(batch, _hashArray(itemHashes));
    }

    /// @inheritdoc IContributionRewards
    function hashRewardAttestation(
        Contribution calldata contribution,
        uint64 signerSetVersion,
        uint256 deadline
    ) external view returns (bytes32) {
        return _attestationDigest(contribution, signerSetVersion, deadline);
    }

    /// @inheritdoc IContributionRewards
    function isRewarded(uint64 id) external view returns (bool) {
        return _rewarded.get(id);
    }

    /// @inheritdoc IContributionRewards
    function quote(uint8 category, uint16 quality) external view returns (uint256 amount) {
        (, , , uint256 scale) = emission.mintAllowance();
        return Math.mulDiv(uint256(_existing(category).baseReward) * quality, scale, BPS * WAD);
    }

    /// @inheritdoc IContributionRewards
    function available(uint8 category) external view returns (uint256) {
        _existing(category);
        Budget memory budget = _loadBudget();
        _baseReward(budget, category);
        return budget.reserveLeft[category] + budget.shared;
    }

    /// @inheritdoc IContributionRewards
    function categoryConfig(uint8 category) external view returns (CategoryView memory) {
        Category memory c = _existing(category);
        uint256 epoch = emission.currentEpoch();
        return
            CategoryView({
                baseReward: c.baseReward,
                enabled: c.enabled,
                reserveBps: EpochScheduled.at(_reserveOf(c), epoch),
                upcomingReserveBps: c.reserveValue,
                lastRateChangeEpoch: c.lastRateChangeEpochPlusOne == 0 ? 0 : c.lastRateChangeEpochPlusOne - 1,
                rateChangedThisEpoch: c.lastRateChangeEpochPlusOne == epoch + 1
            });
    }

    /// @inheritdoc IContributionRewards
    function categoryCount() external view returns (uint256) {
        return _categoryCount;
    }

    /// @inheritdoc IContributionRewards
    function signerSet() external view returns (address[] memory signers, uint256 threshold, uint64 version) {
        return (_signers, _threshold, _signerSetVersion);
    }

    /// @inheritdoc IContributionRewards
    function maxQualityBps() external view returns (uint16) {
        return _maxQualityBps;
    }

    /// @inheritdoc IContributionRewards
    function guardian() external view returns (address) {
        return _guardian;
    }

    // ------------------------------------------------------------------ internals

    /**
     * @dev Validates, prices, hashes and settles every item of a batch, in order: an item that
     * fits the budget is marked in the bitmap and queued for minting, one that does not is
     * deferred. Ids must strictly increase, which also rejects an id twice in one batch.
     *
     * The common case runs in {_settleFast}; it stops at anything uncommon (an invalid item,
     * the first item of a category not yet loaded, an item that does not fit) and the loop
     * below handles it in Solidity, then resumes the fast path.
     */
    function _settle(
        PackedContribution[] calldata items,
        Budget memory budget
    ) private returns (Settlement memory out) {
        uint256 count = items.length;
        out.itemHashes = new bytes32[](count);
        out.recipients = new address[](count);
        out.amounts = new uint256[](count);
        uint256[6] memory cursor;
        cursor[_C_WORD_INDEX] = _NO_WORD;
        while (true) {
            _settleFast(items, budget, out, cursor);
            uint256 status = cursor[_C_STATUS];
            if (status == _DONE) break;
            uint256 word = PackedContribution.unwrap(items[cursor[_C_INDEX]]);
            if (status == _LOAD_CATEGORY) {
                // Reverts for an unknown or disabled category.
                _loadCategory(budget, (word >> 184) & 0xff);
            } else if (status == _DEFER) {
                out.demand += cursor[_C_AMOUNT];
                emit ContributionDeferred(
                    uint64(word >> 192),
                    address(uint160(word)),
                    uint8(word >> 184),
                    uint16(word >> 168),
                    cursor[_C_AMOUNT]
                );
                ++cursor[_C_INDEX];
            } else {
                _revertInvalidItem(status, word, cursor[_C_NEXT_MIN_ID], budget.maxQuality);
            }
        }
        if (cursor[_C_WORD_INDEX] != _NO_WORD) _rewarded._data[cursor[_C_WORD_INDEX]] = cursor[_C_BITS];
        // Demand counts every item, the rewarded ones included.
        out.demand += out.minted;
    }

    /**
     * @dev The per-item hot path of {_settle}, for items whose category is loaded: checks the
     * item, prices it, hashes it (EIP-712 `Contribution`), marks its bit and queues its mint if
     * it fits the budget, and emits {ContributionRewarded}. It stops, leaving the cursor's
     * status and index at the item, on anything else (the `_LOAD_CATEGORY`.. statuses); the
     * item is then untouched, except a deferred one (`_DEFER`: checked, hashed, priced into
     * the cursor's amount, its bit not set).
     *
     * The equivalent Solidity is {_price} and {_fit}, which {rewardContribution} uses as they
     * are; this loop is in assembly because it is most of a batch's gas above the storage and
     * log floor (docs/rewards-gas.md). It reads and writes only two fixed arrays, the cursor
     * and a frame filled from named fields by {_frameIn} (indices `_C_*` and `_F_*`), never a
     * struct's field offsets.
     *
     * Overflow: `baseReward < 2^128` (bounded at deployment), `quality < 2^16` and `scale <=
     * 1e18 < 2^60` (checked by {_loadBudget}), so `baseReward * quality * scale < 2^204`;
     * `minted` stays below the epoch limit (< 2^128); `id + 1 <= 2^64`.
     */
    function _settleFast(
        PackedContribution[] calldata items,
        Budget memory budget,
        Settlement memory out,
        uint256[6] memory cursor
    ) private {
        uint256[10] memory frame;
        _frameIn(frame, budget, out);
        _settleFastLoop(items, frame, cursor);
        (budget.shared, out.rewarded, out.minted) = (frame[_F_SHARED], frame[_F_REWARDED], frame[_F_MINTED]);
    }

    /// @dev Fills {_settleFastLoop}'s frame from the budget and the settlement, by name.
    function _frameIn(uint256[10] memory frame, Budget memory budget, Settlement memory out) private pure {
        uint256[256] memory baseRewards = budget.baseRewards;
        uint256[256] memory reserveLeft = budget.reserveLeft;
        bytes32[] memory itemHashes = out.itemHashes;
        address[] memory recipients = out.recipients;
        uint256[] memory amounts = out.amounts;
        uint256[5] memory pointers;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Static arrays in memory start with their first element; dynamic ones with their length.
            mstore(pointers, baseRewards)
            mstore(add(pointers, 0x20), reserveLeft)
            mstore(add(pointers, 0x40), add(itemHashes, 0x20))
            mstore(add(pointers, 0x60), add(recipients, 0x20))
            mstore(add(pointers, 0x80), add(amounts, 0x20))
        }
        frame[_F_BASE_REWARDS] = pointers[0];
        frame[_F_RESERVE_LEFT] = pointers[1];
        frame[_F_HASHES] = pointers[2];
        frame[_F_RECIPIENTS] = pointers[3];
        frame[_F_AMOUNTS] = pointers[4];
        frame[_F_SCALE] = budget.scale;
        frame[_F_MAX_QUALITY] = budget.maxQuality;
        frame[_F_SHARED] = budget.shared;
        frame[_F_REWARDED] = out.rewarded;
        frame[_F_MINTED] = out.minted;
    }

    /**
     * @dev The loop of {_settleFast}. Frame word `_F_X` is at `frame + 32 * _F_X` and cursor
     * word `_C_X` at `cursor + 32 * _C_X` (fixed-size memory arrays have no length word); each
     * offset below names its index.
     */
    // solhint-disable-next-line function-max-lines
    function _settleFastLoop(
        PackedContribution[] calldata items,
        uint256[10] memory frame,
        uint256[6] memory cursor
    ) private {
        uint256 scratch = _prepareScratch();
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Moves the bitmap to word `index`: stores the word held so far (if any), loads the
            // new one (slot keccak256(index . _rewarded.slot)) into the cursor, returns it.
            function switchWord(cur, index) -> bits {
                let held := mload(add(cur, 0x40)) // _C_WORD_INDEX
                if iszero(eq(held, not(0))) {
                    mstore(0x00, held)
                    mstore(0x20, _rewarded.slot)
                    sstore(keccak256(0x00, 0x40), mload(add(cur, 0x60))) // _C_BITS
                }
                mstore(0x00, index)
                mstore(0x20, _rewarded.slot)
                bits := sload(keccak256(0x00, 0x40))
                mstore(add(cur, 0x40), index) // _C_WORD_INDEX
                mstore(add(cur, 0x60), bits) // _C_BITS
            }

            // Uses `amount` for `category` if it fits (as {_fit}): the category's reserve
            // first, then the shared pool. Returns 0, changing nothing, if it does not fit.
            function fits(f, category, amount) -> ok {
                let leftPtr := add(mload(add(f, 0x20)), shl(5, category)) // _F_RESERVE_LEFT
                let left := mload(leftPtr)
                if iszero(gt(amount, left)) {
                    mstore(leftPtr, sub(left, amount))
                    ok := 1
                    leave
                }
                let need := sub(amount, left)
                let shared := mload(add(f, 0xe0)) // _F_SHARED
                if gt(need, shared) {
                    leave
                }
                mstore(add(f, 0xe0), sub(shared, need)) // _F_SHARED
                if left {
                    mstore(leftPtr, 0)
                }
                ok := 1
            }

            let i := mload(cursor) // _C_INDEX
            let status := 0 // _DONE
            for {} lt(i, items.length) {
                i := add(i, 1)
            } {
                let word := calldataload(add(items.offset, shl(5, i)))
                if lt(shr(192, word), mload(add(cursor, 0x20))) {
                    // below _C_NEXT_MIN_ID
                    status := 3 // _BAD_ORDER
                    break
                }
                if and(shr(160, word), 0xff) {
                    status := 4 // _NON_CANONICAL
                    break
                }
                if iszero(and(word, 0xffffffffffffffffffffffffffffffffffffffff)) {
                    status := 5 // _ZERO_CONTRIBUTOR
                    break
                }
                let amount
                {
                    let quality := and(shr(168, word), 0xffff)
                    if or(iszero(quality), gt(quality, mload(add(frame, 0xc0)))) {
                        // above _F_MAX_QUALITY
                        status := 6 // _BAD_QUALITY
                        break
                    }
                    // _F_BASE_REWARDS[category]
                    let baseReward := mload(add(mload(frame), shl(5, and(shr(184, word), 0xff))))
                    if iszero(baseReward) {
                        status := 1 // _LOAD_CATEGORY
                        break
                    }
                    // baseReward * quality * scale (_F_SCALE) / (BPS * WAD), rounded down; the
                    // loaded flag (bit 255) is masked off the cached base reward.
                    amount := div(
                        mul(mul(and(baseReward, 0xffffffffffffffffffffffffffffffff), quality), mload(add(frame, 0xa0))),
                        10000000000000000000000
                    )
                    // hashStruct(Contribution(id, contributor, category, quality)).
                    mstore(add(scratch, 0x20), shr(192, word))
                    mstore(add(scratch, 0x40), and(word, 0xffffffffffffffffffffffffffffffffffffffff))
                    mstore(add(scratch, 0x60), and(shr(184, word), 0xff))
                    mstore(add(scratch, 0x80), quality)
                }

                let bits := mload(add(cursor, 0x60)) // _C_BITS
                let id := shr(192, word)
                if iszero(eq(shr(8, id), mload(add(cursor, 0x40)))) {
                    // not the word held at _C_WORD_INDEX
                    bits := switchWord(cursor, shr(8, id))
                }
                let bit := shl(and(id, 0xff), 1)
                if and(bits, bit) {
                    status := 7 // _ALREADY_REWARDED
                    break
                }
                mstore(add(cursor, 0x20), add(id, 1)) // _C_NEXT_MIN_ID
                // itemHashes[i]: _F_HASHES
                mstore(add(mload(add(frame, 0x40)), shl(5, i)), keccak256(scratch, 0xa0))

                if iszero(fits(frame, mload(add(scratch, 0x60)), amount)) {
                    mstore(add(cursor, 0xa0), amount) // _C_AMOUNT
                    status := 2 // _DEFER
                    break
                }
                mstore(add(cursor, 0x60), or(bits, bit)) // _C_BITS

                // Queue the mint: recipients[rewarded] (_F_RECIPIENTS), amounts[rewarded]
                // (_F_AMOUNTS), then rewarded + 1 (_F_REWARDED) and minted (_F_MINTED).
                {
                    let rewarded := mload(add(frame, 0x100))
                    mstore(add(mload(add(frame, 0x60)), shl(5, rewarded)), mload(add(scratch, 0x40)))
                    mstore(add(mload(add(frame, 0x80)), shl(5, rewarded)), amount)
                    mstore(add(frame, 0x100), add(rewarded, 1))
                    mstore(add(frame, 0x120), add(mload(add(frame, 0x120)), amount))
                }

                // emit ContributionRewarded(id, contributor, category, quality, amount)
                mstore(add(scratch, 0xa0), amount)
                log3(add(scratch, 0x60), 0x60, mload(add(scratch, 0xc0)), id, mload(add(scratch, 0x40)))
            }
            mstore(cursor, i) // _C_INDEX
            mstore(add(cursor, 0x80), status) // _C_STATUS
        }
    }

    /// @dev Reverts with the error for an invalid item found by {_settleFast}.
    function _revertInvalidItem(uint256 status, uint256 word, uint256 nextMinId, uint256 maxQuality) private pure {
        uint64 id = uint64(word >> 192);
        if (status == _BAD_ORDER) revert ContributionRewardsIdsNotAscending(id, uint64(nextMinId - 1));
        if (status == _NON_CANONICAL) revert PackedContributionLib.PackedContributionNonCanonical(word);
        if (status == _ZERO_CONTRIBUTOR) revert ContributionRewardsInvalidContributor(id);
        if (status == _BAD_QUALITY) {
            revert ContributionRewardsQualityOutOfRange(id, uint16(word >> 168), uint16(maxQuality));
        }
        revert ContributionRewardsAlreadyRewarded(id);
    }

    /**
     * @dev Writes the constant words of {_settleFastLoop}'s scratch space above the free memory
     * pointer and returns its address. Layout, one word each, so that one set of writes serves
     * both the struct hash and the event: [typehash, id, contributor, category, quality,
     * amount, ContributionRewarded topic].
     */
    function _prepareScratch() private pure returns (uint256 scratch) {
        bytes32 typehash = _CONTRIBUTION_TYPEHASH;
        bytes32 topic = ContributionRewarded.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            scratch := mload(0x40)
            mstore(scratch, typehash)
            mstore(add(scratch, 0xc0), topic)
        }
    }

    /// @dev The reward for one contribution, after checking its contributor, category and quality.
    function _price(
        Budget memory budget,
        uint64 id,
        address contributor,
        uint256 categoryId,
        uint256 quality
    ) private view returns (uint256) {
        uint256 maxQuality = budget.maxQuality;
        if (contributor == address(0)) revert ContributionRewardsInvalidContributor(id);
        if (quality == 0 || quality > maxQuality) {
            revert ContributionRewardsQualityOutOfRange(id, uint16(quality), uint16(maxQuality));
        }
        uint256 entry = budget.baseRewards[categoryId];
        if (entry == 0) entry = _loadCategory(budget, categoryId);
        // baseReward < 2^128, quality < 2^16 and scale <= 1e18 < 2^60: the product fits 2^204.
        // Division rounds down, in the protocol's favour.
        return ((entry & _BASE_REWARD_MASK) * quality * budget.scale) / (BPS * WAD);
    }

    /**
     * @dev Uses `amount` of the budget for `categoryId` if it fits (see {Budget}): from the
     * category's reserve first, then from the shared pool. Returns false, changing nothing, if
     * it does not fit.
     */
    function _fit(Budget memory budget, uint256 categoryId, uint256 amount) private pure returns (bool) {
        uint256 left = budget.reserveLeft[categoryId];
        if (amount <= left) {
            budget.reserveLeft[categoryId] = left - amount;
            return true;
        }
        uint256 fromShared = amount - left;
        uint256 shared = budget.shared;
        if (fromShared > shared) return false;
        budget.shared = shared - fromShared;
        if (left != 0) budget.reserveLeft[categoryId] = 0;
        return true;
    }

    /// @dev The epoch's limit as the controller sees it, and this epoch's unused reserves.
    function _loadBudget() private view returns (Budget memory budget) {
        (budget.epoch, budget.limit, budget.minted, budget.scale) = emission.mintAllowance();
        // Near the token's hard cap, what is left under it bounds the limit too, so that items
        // past the cap are deferred like any others rather than reverting the whole batch.
        uint256 room = token.cap() - token.totalSupply();
        if (budget.minted + room < budget.limit) budget.limit = budget.minted + room;
        // A scale above 1.0 would break the overflow bound of the pricing (see _settleFast).
        if (budget.scale > WAD) revert ContributionRewardsInvalidRewardScale(budget.scale);
        budget.maxQuality = _maxQualityBps;
        ReserveLedger memory ledger = _reserveLedger;
        budget.usedTotal = ledger.epochPlusOne == budget.epoch + 1 ? ledger.usedTotal : 0;
        uint256 reserved = Math.mulDiv(budget.limit, EpochScheduled.at(_totalReserveOf(ledger), budget.epoch), BPS);
        budget.unused = Math.saturatingSub(reserved, budget.usedTotal);
        // minted + unused <= limit: reserves are shares of the limit and every mint draws on
        // its own category's reserve first. Saturated all the same.
        budget.shared = Math.saturatingSub(budget.limit, budget.minted + budget.unused);
    }

    /**
     * @dev Loads category `categoryId` into `budget` on its first use in this call: checks it
     * exists and is enabled, and reads its reserve for the epoch. Returns its `baseRewards`
     * entry: the base reward with bit 255 set, so that a loaded entry is never zero.
     */
    function _loadCategory(Budget memory budget, uint256 categoryId) private view returns (uint256 entry) {
        Category memory c = _categories[uint8(categoryId)];
        if (!c.enabled) {
            if (!c.exists) revert ContributionRewardsUnknownCategory(uint8(categoryId));
            revert ContributionRewardsCategoryDisabled(uint8(categoryId));
        }
        uint16 bps = EpochScheduled.at(_reserveOf(c), budget.epoch);
        if (bps != 0) {
            uint256 reserve = Math.mulDiv(budget.limit, bps, BPS);
            ReserveUse memory use = _reserveUse[uint8(categoryId)];
            uint256 used = use.epoch == budget.epoch ? use.used : 0;
            budget.reserves[categoryId] = reserve;
            budget.reserveLeft[categoryId] = Math.saturatingSub(reserve, used);
        }
        budget.loadedMask |= 1 << categoryId;
        entry = _LOADED | c.baseReward;
        budget.baseRewards[categoryId] = entry;
    }

    /// @dev Loads `categoryId` if this call has not yet; returns its base reward.
    function _baseReward(Budget memory budget, uint256 categoryId) private view returns (uint256) {
        uint256 entry = budget.baseRewards[categoryId];
        if (entry == 0) entry = _loadCategory(budget, categoryId);
        return entry & _BASE_REWARD_MASK;
    }

    /// @dev Records what each category loaded by this call drew on its reserve, and the total.
    function _storeReserves(Budget memory budget) private {
        uint256 usedTotal = budget.usedTotal;
        uint256 mask = budget.loadedMask;
        // One iteration per category loaded by this call (at most 256).
        while (mask != 0) {
            uint256 categoryId = _lowestBit(mask);
            mask &= mask - 1;
            uint256 reserve = budget.reserves[categoryId];
            if (reserve == 0) continue;
            ReserveUse memory previous = _reserveUse[uint8(categoryId)];
            uint256 usedBefore = previous.epoch == budget.epoch ? previous.used : 0;
            uint256 used = reserve - budget.reserveLeft[categoryId];
            if (used > usedBefore) {
                usedTotal += used - usedBefore;
                // used <= reserve <= limit < 2^128.
                _reserveUse[uint8(categoryId)] = ReserveUse({epoch: uint64(budget.epoch), used: uint192(used)});
            }
        }
        ReserveLedger storage ledger = _reserveLedger;
        if (ledger.epochPlusOne != budget.epoch + 1 || ledger.usedTotal != usedTotal) {
            // usedTotal <= the epoch's limit < 2^128 (the controller stores limits as uint128).
            (ledger.epochPlusOne, ledger.usedTotal) = (uint64(budget.epoch + 1), uint128(usedTotal));
        }
    }

    /// @dev The EIP-712 digest of a batch, given the hash of its items array.
    function _batchDigest(RewardBatch calldata batch, bytes32 itemsHash) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        _REWARD_BATCH_TYPEHASH,
                        itemsHash,
                        batch.manifest,
                        batch.signerSetVersion,
                        batch.deadline
                    )
                )
            );
    }

    function _checkFreshness(uint64 signerSetVersion, uint256 deadline) private view {
        if (block.timestamp > deadline) revert ContributionRewardsExpired(deadline, block.timestamp);
        uint64 current = _signerSetVersion;
        if (signerSetVersion != current) revert ContributionRewardsStaleSignerSet(signerSetVersion, current);
    }

    /// @dev Checks that at least `threshold` current signers, in strictly increasing address
    /// order, signed `digest`. OpenZeppelin's ECDSA rejects malleable (high-s) signatures.
    function _verifyQuorum(bytes32 digest, bytes[] calldata signatures) private view {
        uint256 threshold = _threshold;
        if (signatures.length < threshold) revert ContributionRewardsInsufficientQuorum(signatures.length, threshold);
        uint64 version = _signerSetVersion;
        address previous;
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (signer <= previous) revert ContributionRewardsSignersNotAscending(signer, previous);
            if (_signerVersion[signer] != version) revert ContributionRewardsUnauthorizedSigner(signer);
            previous = signer;
        }
    }

    function _setSigners(address[] memory signers, uint256 threshold) private {
        uint256 n = signers.length;
        if (n == 0 || n > MAX_SIGNERS || threshold == 0 || threshold > n) {
            revert ContributionRewardsInvalidSignerSet(n, threshold);
        }
        // Bumping the version invalidates every signer of the old set at once, and every
        // signature made for it (they commit to the version).
        uint64 version = _signerSetVersion + 1;
        for (uint256 i = 0; i < n; ++i) {
            address signer = signers[i];
            if (signer == address(0)) revert ContributionRewardsZeroSigner();
            if (_signerVersion[signer] == version) revert ContributionRewardsDuplicateSigner(signer);
            _signerVersion[signer] = version;
        }
        _signers = signers;
        _signerSetVersion = version;
        _threshold = uint8(threshold);
        emit SignerSetUpdated(version, signers, threshold);
    }

    function _addCategory(
        string memory name,
        uint256 baseReward,
        uint16 reserveBps,
        uint256 epoch
    ) private returns (uint8 category) {
        uint256 count = _categoryCount;
        if (count > type(uint8).max) revert ContributionRewardsTooManyCategories();
        _checkBaseReward(baseReward);
        category = uint8(count);
        _categories[category] = Category({
            baseReward: uint128(baseReward),
            lastRateChangeEpochPlusOne: 0,
            reservePrevious: 0,
            reserveValue: reserveBps,
            reserveFromEpoch: epoch.toUint32(),
            enabled: true,
            exists: true
        });
        _categoryCount = count + 1;
        emit CategoryAdded(category, name, baseReward, reserveBps, epoch);
    }

    /// @dev Schedules a category's reserve, and the total, for the next epoch.
    function _scheduleReserve(uint8 category, uint16 newBps, uint256 epoch) private {
        Category storage c = _categories[category];
        EpochScheduled.Uint16 memory reserve = _reserveOf(c);
        ReserveLedger storage ledger = _reserveLedger;
        EpochScheduled.Uint16 memory total = _totalReserveOf(ledger);
        uint256 newTotal = uint256(total.value) - reserve.value + newBps;
        if (newTotal > BPS) revert ContributionRewardsReserveTooHigh(newTotal);
        EpochScheduled.Uint16 memory nextTotal = EpochScheduled.schedule(total, uint16(newTotal), epoch);
        (ledger.totalPrevious, ledger.totalValue, ledger.totalFromEpoch) = (
            nextTotal.previous,
            nextTotal.value,
            nextTotal.fromEpoch
        );
        EpochScheduled.Uint16 memory next = EpochScheduled.schedule(reserve, newBps, epoch);
        (c.reservePrevious, c.reserveValue, c.reserveFromEpoch) = (next.previous, next.value, next.fromEpoch);
        emit CategoryReserveSet(category, reserve.value, newBps, epoch + 1);
    }

    function _setMaxQuality(uint16 newMax) private {
        if (newMax == 0 || newMax > MAX_QUALITY_LIMIT_BPS) {
            revert ContributionRewardsMaxQualityOutOfBounds(newMax, MAX_QUALITY_LIMIT_BPS);
        }
        emit MaxQualitySet(_maxQualityBps, newMax);
        _maxQualityBps = newMax;
    }

    function _setGuardian(address newGuardian) private {
        emit GuardianSet(_guardian, newGuardian);
        _guardian = newGuardian;
    }

    function _checkBaseReward(uint256 baseReward) private view {
        if (baseReward < minBaseReward || baseReward > maxBaseReward) {
            revert ContributionRewardsBaseRewardOutOfBounds(baseReward, minBaseReward, maxBaseReward);
        }
    }

    function _existing(uint8 category) private view returns (Category storage c) {
        c = _categories[category];
        if (!c.exists) revert ContributionRewardsUnknownCategory(category);
    }

    function _totalReserveOf(ReserveLedger memory ledger) private pure returns (EpochScheduled.Uint16 memory) {
        return EpochScheduled.Uint16(ledger.totalPrevious, ledger.totalValue, ledger.totalFromEpoch);
    }

    function _reserveOf(Category memory c) private pure returns (EpochScheduled.Uint16 memory) {
        return EpochScheduled.Uint16(c.reservePrevious, c.reserveValue, c.reserveFromEpoch);
    }

    function _attestationDigest(
        Contribution memory contribution,
        uint64 signerSetVersion,
        uint256 deadline
    ) private view returns (bytes32) {
        bytes32 itemHash = _hashContribution(
            contribution.id,
            contribution.contributor,
            contribution.category,
            contribution.quality
        );
        return
            _hashTypedDataV4(keccak256(abi.encode(_REWARD_ATTESTATION_TYPEHASH, itemHash, signerSetVersion, deadline)));
    }

    /// @dev EIP-712 hashStruct of a Contribution, in scratch memory (no allocation per item).
    function _hashContribution(
        uint64 id,
        address contributor,
        uint8 categoryId,
        uint16 quality
    ) private pure returns (bytes32 result) {
        bytes32 typehash = _CONTRIBUTION_TYPEHASH;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Writes above the free memory pointer without moving it: nothing else uses that
            // memory before this function returns. Values narrower than 256 bits may arrive
            // with dirty high bits, so each is masked to its type's width.
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            mstore(add(ptr, 0x20), and(id, 0xffffffffffffffff))
            mstore(add(ptr, 0x40), and(contributor, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 0x60), and(categoryId, 0xff))
            mstore(add(ptr, 0x80), and(quality, 0xffff))
            result := keccak256(ptr, 0xa0)
        }
    }

    /// @dev EIP-712 encoding of an array of structs: the hash of their concatenated hashes.
    function _hashArray(bytes32[] memory hashes) private pure returns (bytes32 result) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            result := keccak256(add(hashes, 0x20), mul(mload(hashes), 0x20))
        }
    }

    /**
     * @dev Calls `token.mintBatch(recipients[:count], amounts[:count])`. The two memory arrays
     * are already laid out as ABI arrays, so the calldata is assembled with MCOPY instead of
     * Solidity's element-by-element encoder (about 250 gas per item less).
     */
    function _mintBatch(address[] memory recipients, uint256[] memory amounts, uint256 count) private {
        address target = address(token);
        bytes4 selector = ICreditToken.mintBatch.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let size := mul(count, 0x20)
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), 0x40) // offset of `to`
            mstore(add(ptr, 0x24), add(0x60, size)) // offset of `amounts`
            mstore(add(ptr, 0x44), count)
            mcopy(add(ptr, 0x64), add(recipients, 0x20), size)
            mstore(add(ptr, add(0x64, size)), count)
            mcopy(add(ptr, add(0x84, size)), add(amounts, 0x20), size)
            let length := add(0x84, mul(size, 2))
            if iszero(call(gas(), target, 0, ptr, length, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev Index of the lowest set bit of a non-zero `x`.
    function _lowestBit(uint256 x) private pure returns (uint256) {
        return Math.log2(x & (~x + 1));
    }
}
