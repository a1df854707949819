// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IEmissionController} from "./IEmissionController.sol";

/**
 * @title EmissionController
 * @notice The supply policy (static version): a fixed per-epoch budget, governed, under a hard
 * annual inflation cap. The demand-driven budget and reward scale replace the static policy in
 * a later version behind the same interface; the reward scale here is always 1.0.
 *
 * The policy, as constants and two governed numbers:
 *
 * - `limit(e) = min(budget, annualCap(e) - mintedInWindowBefore(e))`, where
 * - `annualCap(e) = annualInflationBps * totalSupply / 10_000`, with supply read when `e` opens;
 * - `mintedInWindowBefore(e)` = minted in every earlier epoch that overlaps the 365 days
 *   before `e` starts. Counting whole epochs over-counts the window by at most one epoch, so
 *   the rule is conservative: over any 365 days, at most `annualCap` is minted (DESIGN
 *   invariant 2), with the cap in force at each mint.
 *
 * The trailing sum is kept as a checkpointed cumulative total keyed by epoch (OpenZeppelin
 * Checkpoints), written once per epoch, so a mint costs one storage write here whatever the
 * history, and the epoch's opening costs two lookups.
 *
 * IMPORTANT: The controller trusts every holder of the token's MINTER_ROLE to record each mint
 * here before minting (ContributionRewards, the only holder, does). It cannot see mints that
 * skip it; the token's own cap still bounds them.
 */
contract EmissionController is IEmissionController, Ownable2Step {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    /// @inheritdoc IEmissionController
    uint256 public constant MAX_ANNUAL_INFLATION_BPS = 1_000; // 10% of supply per 365 days
    /// @notice Basis points denominator.
    uint256 public constant BPS = 10_000;
    /// @notice The rolling window of the annual inflation cap.
    uint256 public constant ANNUAL_WINDOW = 365 days;
    /// @notice The reward scale of the static policy: 1.0.
    uint256 public constant STATIC_REWARD_SCALE = 1e18;
    /// @notice Shortest epoch accepted at construction.
    uint256 public constant MIN_EPOCH_LENGTH = 1 hours;

    // keccak256("MINTER_ROLE"), the token's minter role.
    bytes32 private constant _MINTER_ROLE = 0x9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a6;

    /// @dev One epoch's figures; `opened` marks an epoch that was used. The first slot is the
    /// one a mint reads and writes; the second holds the limit it checks against.
    struct EpochRecord {
        uint128 minted;
        uint120 demand;
        bool opened;
        uint128 budget;
        uint128 limit;
        uint128 annualCap;
        uint128 mintedInWindowBefore;
        uint128 burned;
    }

    /// @inheritdoc IEmissionController
    address public immutable token;
    /// @notice The first second of epoch 0.
    uint256 public immutable genesisTime;
    /// @notice The length of every epoch, in seconds.
    uint256 public immutable epochLength;

    uint256 private _epochBudget;
    uint256 private _annualInflationBps;
    mapping(uint256 epoch => EpochRecord) private _epochs;
    // Cumulative tokens minted through each closed epoch (key: epoch index).
    Checkpoints.Trace208 private _cumulativeMinted;
    // Index + 1 of the last opened epoch; 0 before the first.
    uint256 private _lastOpenedPlusOne;

    /**
     * @notice Deploys the controller; epoch 0 starts now.
     * @param token_ The CreditToken (its MINTER_ROLE holders may record mints).
     * @param owner_ The owner of every setter: the governance timelock.
     * @param epochLength_ Seconds per epoch (at least one hour, at most 365 days).
     * @param epochBudget_ The budget of every epoch until governance changes it.
     * @param annualInflationBps_ The annual inflation cap, at most {MAX_ANNUAL_INFLATION_BPS}.
     */
    constructor(
        address token_,
        address owner_,
        uint256 epochLength_,
        uint256 epochBudget_,
        uint256 annualInflationBps_
    ) Ownable(owner_) {
        if (token_ == address(0) || epochLength_ < MIN_EPOCH_LENGTH || epochLength_ > ANNUAL_WINDOW) {
            revert EmissionControllerInvalidConfig();
        }
        if (annualInflationBps_ > MAX_ANNUAL_INFLATION_BPS) {
            revert EmissionControllerAnnualInflationTooHigh(annualInflationBps_, MAX_ANNUAL_INFLATION_BPS);
        }
        token = token_;
        genesisTime = block.timestamp;
        epochLength = epochLength_;
        _epochBudget = epochBudget_.toUint128();
        _annualInflationBps = annualInflationBps_;
        emit EpochBudgetSet(0, epochBudget_, 0);
        emit AnnualInflationSet(0, annualInflationBps_, 0);
    }

    /// @inheritdoc IEmissionController
    function recordMint(uint256 epoch, uint256 minted, uint256 demand) external {
        if (!IAccessControl(token).hasRole(_MINTER_ROLE, msg.sender)) {
            revert EmissionControllerUnauthorizedMinter(msg.sender);
        }
        uint256 current = currentEpoch();
        if (epoch != current) revert EmissionControllerEpochMismatch(epoch, current);
        EpochRecord storage record = _open(current);
        uint256 remaining = record.limit - record.minted;
        if (minted > remaining) revert EmissionControllerBudgetExceeded(minted, remaining);
        // minted <= remaining <= limit fits uint128; demand is checked by SafeCast.
        record.minted += uint128(minted);
        record.demand = (record.demand + demand).toUint120();
        emit MintRecorded(current, msg.sender, minted, demand);
    }

    /// @inheritdoc IEmissionController
    function burn(uint256 amount) external {
        uint256 current = currentEpoch();
        EpochRecord storage record = _open(current);
        record.burned = (record.burned + amount).toUint128();
        emit Burned(current, msg.sender, amount);
        // The token is ours and trusted; the effects above are reverted if the burn fails.
        ERC20Burnable(token).burnFrom(msg.sender, amount);
    }

    /// @inheritdoc IEmissionController
    function setEpochBudget(uint256 newBudget) external onlyOwner {
        uint256 current = currentEpoch();
        _open(current);
        emit EpochBudgetSet(_epochBudget, newBudget, current + 1);
        _epochBudget = newBudget.toUint128();
    }

    /// @inheritdoc IEmissionController
    function setAnnualInflationBps(uint256 newBps) external onlyOwner {
        if (newBps > MAX_ANNUAL_INFLATION_BPS) {
            revert EmissionControllerAnnualInflationTooHigh(newBps, MAX_ANNUAL_INFLATION_BPS);
        }
        uint256 current = currentEpoch();
        _open(current);
        emit AnnualInflationSet(_annualInflationBps, newBps, current + 1);
        _annualInflationBps = newBps;
    }

    /**
     * @notice Ownership cannot be renounced: the setters must always have an owner (the timelock).
     * @dev Always reverts (with {EmissionControllerRenounceDisabled} for the owner).
     */
    function renounceOwnership() public view override onlyOwner {
        revert EmissionControllerRenounceDisabled();
    }

    /// @inheritdoc IEmissionController
    function epochAt(uint256 timestamp) public view returns (uint256) {
        return (timestamp - genesisTime) / epochLength;
    }

    /// @inheritdoc IEmissionController
    function currentEpoch() public view returns (uint256) {
        return epochAt(block.timestamp);
    }

    /// @inheritdoc IEmissionController
    function epochState(uint256 epoch) external view returns (EpochState memory state) {
        EpochRecord memory record = _epochs[epoch];
        if (!record.opened && epoch >= currentEpoch()) record = _opening(epoch);
        state = _toState(epoch, record);
    }

    /// @inheritdoc IEmissionController
    function mintAllowance() external view returns (uint256 epoch, uint256 limit, uint256 minted, uint256 rewardScale) {
        epoch = currentEpoch();
        EpochRecord storage record = _epochs[epoch];
        // Field by field: the hot path reads two slots, not the whole record.
        if (record.opened) return (epoch, record.limit, record.minted, STATIC_REWARD_SCALE);
        EpochRecord memory opening = _opening(epoch);
        return (epoch, opening.limit, opening.minted, STATIC_REWARD_SCALE);
    }

    /// @inheritdoc IEmissionController
    function epochBudget() external view returns (uint256) {
        return _epochBudget;
    }

    /// @inheritdoc IEmissionController
    function annualInflationBps() external view returns (uint256) {
        return _annualInflationBps;
    }

    /// @inheritdoc IEmissionController
    function mintedInTrailingYear() external view returns (uint256) {
        uint256 epoch = currentEpoch();
        EpochRecord memory record = _epochs[epoch];
        if (!record.opened) record = _opening(epoch);
        return uint256(record.mintedInWindowBefore) + record.minted;
    }

    /// @dev Opens `epoch` (the current one) if it is not yet: closes the last opened epoch into
    /// the cumulative trace and snapshots the policy. Returns the epoch's record.
    function _open(uint256 epoch) private returns (EpochRecord storage record) {
        record = _epochs[epoch];
        if (record.opened) return record;
        // Computed before the last epoch is closed into the trace: _opening counts the still
        // open last epoch itself, so computing it after the push would count that epoch twice.
        EpochRecord memory opened = _opening(epoch);
        uint256 lastPlusOne = _lastOpenedPlusOne;
        if (lastPlusOne != 0) {
            uint256 last = lastPlusOne - 1;
            _cumulativeMinted.push(
                uint48(last),
                (uint256(_cumulativeMinted.latest()) + _epochs[last].minted).toUint208()
            );
        }
        _epochs[epoch] = opened;
        _lastOpenedPlusOne = epoch + 1;
        emit EpochOpened(epoch, opened.budget, opened.limit, opened.annualCap, opened.mintedInWindowBefore);
    }

    /// @dev The record `epoch` gets when it opens now (a view: nothing is written).
    function _opening(uint256 epoch) private view returns (EpochRecord memory record) {
        // Cumulative minted through the last opened epoch, whether or not it is closed yet.
        uint256 lastPlusOne = _lastOpenedPlusOne;
        uint256 cumulative = _cumulativeMinted.latest();
        uint256 last;
        bool lastOpen = lastPlusOne != 0 && lastPlusOne - 1 < epoch;
        if (lastOpen) {
            last = lastPlusOne - 1;
            cumulative += _epochs[last].minted;
        }
        // First epoch overlapping the 365 days before this epoch starts.
        uint256 start = genesisTime + epoch * epochLength;
        uint256 firstInWindow = start < genesisTime + ANNUAL_WINDOW ? 0 : epochAt(start - ANNUAL_WINDOW);
        uint256 before = 0;
        if (firstInWindow > 0) {
            uint256 key = firstInWindow - 1;
            before = lastOpen && last <= key ? cumulative : _cumulativeMinted.upperLookupRecent(uint48(key));
        }
        uint256 inWindow = cumulative - before;
        // Saturated to the uint128 the record stores (reached only by supplies above 3e20 tokens).
        uint256 annualCap = Math.min(
            Math.mulDiv(IERC20(token).totalSupply(), _annualInflationBps, BPS),
            type(uint128).max
        );
        uint256 budget = _epochBudget;
        record.budget = uint128(budget);
        record.annualCap = uint128(annualCap);
        record.mintedInWindowBefore = inWindow.toUint128();
        record.limit = uint128(Math.min(budget, Math.saturatingSub(annualCap, inWindow)));
        record.opened = true;
    }

    function _toState(uint256 epoch, EpochRecord memory record) private view returns (EpochState memory) {
        return
            EpochState({
                epoch: epoch,
                start: genesisTime + epoch * epochLength,
                budget: record.budget,
                limit: record.limit,
                minted: record.minted,
                demand: record.demand,
                burned: record.burned,
                annualCap: record.annualCap,
                mintedInWindowBefore: record.mintedInWindowBefore,
                rewardScale: record.opened ? STATIC_REWARD_SCALE : 0
            });
    }
}
