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
 * @notice The supply policy: a per-epoch budget that follows demand within ±`maxBudgetStep`
 * per epoch (in the spirit of EIP-1559's base fee), bounded by a floor and by a ceiling that
 * follows from a hard annual inflation cap (like Optimism's MintManager), a reward scale that
 * lowers every reward smoothly when demand outruns the budget, and burn-and-mint recycling (as
 * Helium and Render do). The rules are in {IEmissionController}; the formulas and a worked
 * example in docs/tokenomics.md.
 *
 * The hard limits in code, which no governance can raise, are the constants below: the annual
 * inflation cap (10% of supply a year), the largest step of the budget and of the reward scale
 * per epoch (±50%), the lowest reward scale (0.01) and the epoch length range.
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
    /// @notice The most the base budget may move per epoch: ±50%.
    uint256 public constant MAX_BUDGET_STEP_BPS = 5_000;
    /// @notice The most the reward scale may move per epoch: ±50%.
    uint256 public constant MAX_SCALE_STEP_BPS = 5_000;
    /// @notice The lowest reward scale governance may allow: 0.01.
    uint256 public constant MIN_REWARD_SCALE = 1e16;
    /// @notice The shortest epoch.
    uint256 public constant MIN_EPOCH_LENGTH = 1 hours;
    /// @notice The longest epoch.
    uint256 public constant MAX_EPOCH_LENGTH = 90 days;
    /// @notice Basis points denominator.
    uint256 public constant BPS = 10_000;
    /// @notice Fixed-point unit of the reward scale: 1e18 is 1.0.
    uint256 public constant WAD = 1e18;
    /// @notice The rolling window of the annual inflation cap.
    uint256 public constant ANNUAL_WINDOW = 365 days;

    // keccak256("MINTER_ROLE"), the token's minter role.
    bytes32 private constant _MINTER_ROLE = 0x9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a6;

    /// @dev One epoch's figures. Slot 0 is written by every mint; slot 1 is read by every mint.
    struct EpochRecord {
        uint128 minted;
        uint120 demand;
        bool opened;
        uint128 limit;
        uint64 rewardScale;
        uint48 end;
        uint128 budget;
        uint128 base;
        uint128 annualCap;
        uint128 mintedInWindowBefore;
        uint128 burned;
        uint48 length;
    }

    /// @inheritdoc IEmissionController
    address public immutable token;

    Policy private _policy;
    mapping(uint256 epoch => EpochRecord) private _epochs;
    uint256 private _lastOpened;
    // Cumulative tokens minted through each closed epoch, keyed by the epoch's end (timestamp).
    Checkpoints.Trace208 private _cumulativeMinted;

    /**
     * @notice Deploys the controller and opens epoch 0 now.
     * @param token_ The CreditToken (its MINTER_ROLE holders may record mints).
     * @param owner_ The owner of every setter: the governance timelock.
     * @param policy_ The policy (see {Policy}).
     * @param initialBudget The base budget of epoch 0 (clamped to the floor and the ceiling).
     */
    constructor(address token_, address owner_, Policy memory policy_, uint256 initialBudget) Ownable(owner_) {
        if (token_ == address(0)) revert EmissionControllerInvalidConfig();
        _checkPolicy(policy_);
        token = token_;
        Policy memory none;
        emit PolicySet(none, policy_, 0);
        _policy = policy_;

        uint256 annualCap = _annualCap(policy_);
        uint256 base = _clamp(initialBudget, policy_.budgetFloor, _ceiling(policy_, annualCap));
        uint256 end = block.timestamp + policy_.epochLength;
        _epochs[0] = EpochRecord({
            minted: 0,
            demand: 0,
            opened: true,
            limit: uint128(Math.min(base, annualCap)),
            rewardScale: uint64(WAD),
            end: end.toUint48(),
            budget: uint128(base),
            base: uint128(base),
            annualCap: uint128(annualCap),
            mintedInWindowBefore: 0,
            burned: 0,
            length: policy_.epochLength
        });
        emit EpochOpened(0, block.timestamp, base, Math.min(base, annualCap), WAD, annualCap, 0);
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
    function setPolicy(Policy calldata newPolicy) external onlyOwner {
        _checkPolicy(newPolicy);
        uint256 current = currentEpoch();
        // Opening the current epoch first snapshots it under the old policy.
        _open(current);
        emit PolicySet(_policy, newPolicy, current + 1);
        _policy = newPolicy;
    }

    /**
     * @notice Ownership cannot be renounced: the setters must always have an owner (the timelock).
     * @dev Always reverts (with {EmissionControllerRenounceDisabled} for the owner).
     */
    function renounceOwnership() public view override onlyOwner {
        revert EmissionControllerRenounceDisabled();
    }

    /// @inheritdoc IEmissionController
    function policy() external view returns (Policy memory) {
        return _policy;
    }

    /// @inheritdoc IEmissionController
    function currentEpoch() public view returns (uint256) {
        uint256 last = _lastOpened;
        uint256 end = _epochs[last].end;
        if (block.timestamp < end) return last;
        return last + 1 + (block.timestamp - end) / _policy.epochLength;
    }

    /// @inheritdoc IEmissionController
    function epochState(uint256 epoch) external view returns (EpochState memory state) {
        uint256 current = currentEpoch();
        if (epoch > current) revert EmissionControllerFutureEpoch(epoch, current);
        EpochRecord memory record = _epochs[epoch];
        if (!record.opened && epoch == current) {
            // A projection: the figures the epoch would open with now, not a record.
            state = _toState(epoch, _opening(epoch));
            state.opened = false;
            return state;
        }
        state = _toState(epoch, record);
    }

    /// @inheritdoc IEmissionController
    function mintAllowance() external view returns (uint256 epoch, uint256 limit, uint256 minted, uint256 rewardScale) {
        epoch = currentEpoch();
        EpochRecord storage record = _epochs[epoch];
        // Field by field: the hot path reads two slots of the record.
        if (record.opened) return (epoch, record.limit, record.minted, record.rewardScale);
        EpochRecord memory opening = _opening(epoch);
        return (epoch, opening.limit, 0, opening.rewardScale);
    }

    /// @inheritdoc IEmissionController
    function projectedNextEpoch() external view returns (EpochState memory state) {
        uint256 next = currentEpoch() + 1;
        state = _toState(next, _opening(next));
        state.opened = false;
    }

    /// @inheritdoc IEmissionController
    function mintedInTrailingYear() external view returns (uint256) {
        uint256 epoch = currentEpoch();
        EpochRecord memory record = _epochs[epoch];
        if (!record.opened) record = _opening(epoch);
        return uint256(record.mintedInWindowBefore) + record.minted;
    }

    /// @dev Opens `epoch` (the current one) if it is not yet: closes the last opened epoch into
    /// the cumulative trace and applies the policy to it and any skipped epochs in between.
    function _open(uint256 epoch) private returns (EpochRecord storage record) {
        record = _epochs[epoch];
        if (record.opened) return record;
        // Computed before the last epoch is closed into the trace: _opening counts the still
        // open last epoch itself, so computing it after the push would count that epoch twice.
        EpochRecord memory opened = _opening(epoch);
        uint256 last = _lastOpened;
        EpochRecord storage previous = _epochs[last];
        _cumulativeMinted.push(previous.end, (uint256(_cumulativeMinted.latest()) + previous.minted).toUint208());
        _epochs[epoch] = opened;
        _lastOpened = epoch;
        emit EpochOpened(
            epoch,
            opened.end - opened.length,
            opened.budget,
            opened.limit,
            opened.rewardScale,
            opened.annualCap,
            opened.mintedInWindowBefore
        );
    }

    /**
     * @dev The record epoch `epoch` (after the last opened one) gets when it opens now: the
     * policy applied to the last opened epoch's figures, then once per skipped epoch in between
     * (no demand, no burns). A view: nothing is written.
     */
    function _opening(uint256 epoch) private view returns (EpochRecord memory record) {
        uint256 last = _lastOpened;
        EpochRecord memory previous = _epochs[last];
        Policy memory p = _policy;
        uint256 annualCap = _annualCap(p);
        uint256 ceiling = _ceiling(p, annualCap);

        // The epoch right after the last opened one, from its demand and burns. Demand was
        // priced at the epoch's scale; the policy reacts to demand at scale 1.0, what
        // contributors actually did, rounded down.
        uint256 rawDemand = Math.mulDiv(previous.demand, WAD, previous.rewardScale);
        uint256 base = _clamp(_nextBase(previous.base, previous.budget, rawDemand, p), p.budgetFloor, ceiling);
        uint256 budget = Math.min(base + Math.mulDiv(previous.burned, p.recycleBps, BPS), type(uint128).max);
        uint256 scale = _nextScale(previous.rewardScale, budget, rawDemand, p);

        // Skipped epochs had no demand: the base decays by the full step each, the scale
        // recovers by the full step each. Both sequences are monotone, so clamping once at the
        // end equals clamping at every step.
        uint256 skipped = epoch - last - 1;
        if (skipped > 0) {
            base = _clamp(
                Math.mulDiv(base, _pow(WAD - (WAD * p.maxBudgetStepBps) / BPS, skipped), WAD),
                p.budgetFloor,
                ceiling
            );
            budget = base;
            scale = Math.min(WAD, Math.mulDiv(scale, _pow(WAD + (WAD * p.maxScaleStepBps) / BPS, skipped), WAD));
        }

        // The trailing year: every epoch that ended after (start - 365 days). The last opened
        // epoch is not in the trace yet (it closes when this one opens), so it is added here.
        uint256 start = uint256(previous.end) + skipped * p.epochLength;
        uint256 cumulative = uint256(_cumulativeMinted.latest()) + previous.minted;
        uint256 before = 0;
        if (start > ANNUAL_WINDOW) {
            uint256 windowStart = start - ANNUAL_WINDOW;
            before =
                previous.end <= windowStart ? cumulative : _cumulativeMinted.upperLookupRecent(windowStart.toUint48());
        }
        uint256 inWindow = cumulative - before;

        record.opened = true;
        record.length = p.epochLength;
        record.end = (start + p.epochLength).toUint48();
        record.base = uint128(base);
        record.budget = uint128(budget);
        record.rewardScale = uint64(scale);
        record.annualCap = uint128(annualCap);
        record.mintedInWindowBefore = inWindow.toUint128();
        record.limit = uint128(Math.min(budget, Math.saturatingSub(annualCap, inWindow)));
    }

    /**
     * @dev The base budget after an epoch with `budget` and `demand` (at scale 1.0): moved by
     * the step times the utilisation deviation, clamped to ±1. An increase rounds down and a decrease rounds
     * up: in the protocol's favour. Starts from at least the floor, so a base squeezed by a
     * temporarily low ceiling recovers.
     */
    function _nextBase(uint256 base, uint256 budget, uint256 demand, Policy memory p) private pure returns (uint256) {
        base = Math.max(base, p.budgetFloor);
        if (budget == 0) return demand > 0 ? base + Math.mulDiv(base, p.maxBudgetStepBps, BPS) : base;
        if (demand >= budget) {
            uint256 excess = Math.min(demand - budget, budget);
            return base + Math.mulDiv(base, p.maxBudgetStepBps * excess, BPS * budget);
        }
        return base - Math.mulDiv(base, p.maxBudgetStepBps * (budget - demand), BPS * budget, Math.Rounding.Ceil);
    }

    /**
     * @dev The reward scale for an epoch with `nextBudget`, after an epoch with `rawDemand` (at
     * scale 1.0): the scale that would fit that demand into the new budget (1 if there was no
     * demand), moved at most one step from `scale`, within [minRewardScale, 1]. Rounds down.
     */
    function _nextScale(
        uint256 scale,
        uint256 nextBudget,
        uint256 rawDemand,
        Policy memory p
    ) private pure returns (uint256) {
        uint256 target = rawDemand == 0 ? WAD : Math.min(WAD, Math.mulDiv(nextBudget, WAD, rawDemand));
        uint256 lower = scale - Math.mulDiv(scale, p.maxScaleStepBps, BPS, Math.Rounding.Ceil);
        uint256 upper = scale + Math.mulDiv(scale, p.maxScaleStepBps, BPS);
        return _clamp(_clamp(target, lower, upper), p.minRewardScale, WAD);
    }

    /// @dev `annualInflationBps` of the current supply, saturated to the uint128 records hold.
    function _annualCap(Policy memory p) private view returns (uint256) {
        return Math.min(Math.mulDiv(IERC20(token).totalSupply(), p.annualInflationBps, BPS), type(uint128).max);
    }

    /// @dev The highest base budget: the governed maximum or an epoch's share of the annual cap.
    function _ceiling(Policy memory p, uint256 annualCap) private pure returns (uint256) {
        return Math.min(p.budgetMax, Math.mulDiv(annualCap, p.epochLength, ANNUAL_WINDOW));
    }

    /// @dev `x` bounded to [lo, hi]; `hi` wins if `lo > hi` (the cap is the hard rule).
    function _clamp(uint256 x, uint256 lo, uint256 hi) private pure returns (uint256) {
        return Math.min(Math.max(x, lo), hi);
    }

    /**
     * @dev `factor^n` in WAD fixed point by repeated squaring (log2(n) steps), rounding down
     * and saturating at 2^64 * WAD: a growth factor that large already caps any scale at 1.0,
     * and keeps every product below 2^256.
     */
    function _pow(uint256 factor, uint256 n) private pure returns (uint256 result) {
        uint256 saturation = uint256(type(uint64).max) * WAD;
        result = WAD;
        while (n > 0) {
            if (n & 1 == 1) result = Math.min(Math.mulDiv(result, factor, WAD), saturation);
            n >>= 1;
            if (n > 0) factor = Math.min(Math.mulDiv(factor, factor, WAD), saturation);
        }
    }

    function _checkPolicy(Policy memory p) private pure {
        if (p.epochLength < MIN_EPOCH_LENGTH || p.epochLength > MAX_EPOCH_LENGTH) {
            revert EmissionControllerInvalidPolicy("epochLength");
        }
        if (p.maxBudgetStepBps > MAX_BUDGET_STEP_BPS) revert EmissionControllerInvalidPolicy("maxBudgetStepBps");
        if (p.annualInflationBps > MAX_ANNUAL_INFLATION_BPS) {
            revert EmissionControllerAnnualInflationTooHigh(p.annualInflationBps, MAX_ANNUAL_INFLATION_BPS);
        }
        if (p.recycleBps > BPS) revert EmissionControllerInvalidPolicy("recycleBps");
        if (p.maxScaleStepBps > MAX_SCALE_STEP_BPS) revert EmissionControllerInvalidPolicy("maxScaleStepBps");
        if (p.minRewardScale < MIN_REWARD_SCALE || p.minRewardScale > WAD) {
            revert EmissionControllerInvalidPolicy("minRewardScale");
        }
        if (p.budgetFloor == 0 || p.budgetFloor > p.budgetMax) revert EmissionControllerInvalidPolicy("budgetFloor");
    }

    function _toState(uint256 epoch, EpochRecord memory record) private pure returns (EpochState memory) {
        return
            EpochState({
                epoch: epoch,
                start: record.end - record.length,
                duration: record.length,
                base: record.base,
                budget: record.budget,
                limit: record.limit,
                minted: record.minted,
                demand: record.demand,
                burned: record.burned,
                netIssuance: int256(uint256(record.minted)) - int256(uint256(record.burned)),
                annualCap: record.annualCap,
                mintedInWindowBefore: record.mintedInWindowBefore,
                rewardScale: record.rewardScale,
                opened: record.opened
            });
    }
}
