// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEmissionController} from "../../contracts/emission/IEmissionController.sol";
import {EmissionController} from "../../contracts/emission/EmissionController.sol";
import {CreditToken} from "../../contracts/token/CreditToken.sol";
import {CheatsBase} from "../utils/Cheats.sol";

/// @dev Plays the minter (as ContributionRewards does), a burner and governance, with bounded inputs.
contract EmissionHandler is CheatsBase {
    address public constant TIMELOCK = address(0x71e10c);

    struct Mint {
        uint256 timestamp;
        uint256 epoch;
        uint256 amount;
    }

    CreditToken public immutable token;
    EmissionController public immutable emission;

    Mint[] public mints;
    mapping(uint256 epoch => uint256) public ghostMinted;
    uint256[] public touchedEpochs;
    mapping(uint256 epoch => bool) private _touched;
    uint256 public ghostOvermintSuccesses;
    uint256 public ghostUnauthorizedPolicySuccesses;
    uint256 public ghostRejections;

    constructor(CreditToken token_, EmissionController emission_) {
        token = token_;
        emission = emission_;
        token.approve(address(emission_), type(uint256).max);
    }

    function mintsLength() external view returns (uint256) {
        return mints.length;
    }

    function touchedLength() external view returns (uint256) {
        return touchedEpochs.length;
    }

    /// @dev Demand between nothing and six times what is left; mints what fits (or a random part).
    function recordAndMint(uint256 demandSeed, uint256 shareSeed) external {
        (uint256 epoch, uint256 limit, uint256 minted, ) = emission.mintAllowance();
        uint256 remaining = limit - minted;
        uint256 demand = _bound(demandSeed, 0, remaining * 6 + 1e18);
        uint256 amount = demand < remaining ? demand : remaining;
        amount = (amount * _bound(shareSeed, 0, 100)) / 100;
        emission.recordMint(epoch, amount, demand);
        if (amount > 0) token.mint(address(this), amount);
        mints.push(Mint({timestamp: block.timestamp, epoch: epoch, amount: amount}));
        ghostMinted[epoch] += amount;
        _touch(epoch);
    }

    /// @dev Asks for one more than the remaining limit: must always revert.
    function overmint() external {
        (uint256 epoch, uint256 limit, uint256 minted, ) = emission.mintAllowance();
        try emission.recordMint(epoch, limit - minted + 1, 0) {
            ++ghostOvermintSuccesses;
        } catch {
            ++ghostRejections;
        }
    }

    function burn(uint256 amountSeed) external {
        uint256 amount = _bound(amountSeed, 0, token.balanceOf(address(this)));
        if (amount == 0) return;
        emission.burn(amount);
        _touch(emission.currentEpoch());
    }

    function advanceTime(uint256 secondsSeed) external {
        VM.warp(block.timestamp + _bound(secondsSeed, 1 hours, 60 days));
    }

    function setPolicy(uint256 seed) external {
        IEmissionController.Policy memory p = IEmissionController.Policy({
            epochLength: uint48(_bound(seed, 1 hours, 30 days)),
            maxBudgetStepBps: uint16(_bound(seed >> 48, 0, 5_000)),
            annualInflationBps: uint16(_bound(seed >> 64, 0, 1_000)),
            recycleBps: uint16(_bound(seed >> 80, 0, 10_000)),
            maxScaleStepBps: uint16(_bound(seed >> 96, 0, 5_000)),
            minRewardScale: uint64(_bound(seed >> 112, 1e16, 1e18)),
            budgetFloor: uint128(_bound(seed >> 176, 1e18, 1e24)),
            budgetMax: 0
        });
        p.budgetMax = uint128(_bound(seed >> 200, p.budgetFloor, 1e26));
        VM.prank(TIMELOCK);
        emission.setPolicy(p);
        _touch(emission.currentEpoch());
    }

    function setPolicyAsOutsider(uint256 seed) external {
        IEmissionController.Policy memory p = emission.policy();
        p.annualInflationBps = uint16(_bound(seed, 0, 1_000));
        VM.prank(address(uint160(_bound(seed, 1, type(uint160).max))));
        try emission.setPolicy(p) {
            ++ghostUnauthorizedPolicySuccesses;
        } catch {
            ++ghostRejections;
        }
    }

    function _touch(uint256 epoch) private {
        if (!_touched[epoch]) {
            _touched[epoch] = true;
            touchedEpochs.push(epoch);
        }
    }
}

/// @custom:invariant totalSupply() <= cap() (DESIGN invariant 1).
/// @custom:invariant Minted in an epoch <= that epoch's limit <= its budget (DESIGN invariant 2).
/// @custom:invariant At every mint, minted over the 365 days before it <= the annual cap in force.
/// @custom:invariant Every reward scale lies within [MIN_REWARD_SCALE, 1e18].
/// @custom:invariant No mint past the remaining limit and no policy change by a non-owner succeeds.
contract EmissionControllerInvariantTest is CheatsBase {
    error SupplyAboveCap(uint256 supply, uint256 cap);
    error EpochOverLimit(uint256 epoch, uint256 minted, uint256 limit, uint256 budget);
    error RecordMismatch(uint256 epoch, uint256 recorded, uint256 ghost);
    error TrailingYearOverCap(uint256 timestamp, uint256 minted, uint256 cap);
    error ScaleOutOfBounds(uint256 epoch, uint256 scale);
    error UnexpectedSuccess(uint256 overmints, uint256 unauthorizedPolicies);

    CreditToken internal token;
    EmissionController internal emission;
    EmissionHandler internal handler;

    function setUp() public {
        address[] memory none = new address[](0);
        uint256[] memory noAmounts = new uint256[](0);
        token = new CreditToken("Contribution Credit", "CRED", 1e27, address(this), address(this), 0, none, noAmounts);
        emission = new EmissionController(
            address(token),
            address(0x71e10c),
            IEmissionController.Policy({
                epochLength: 7 days,
                maxBudgetStepBps: 1_250,
                annualInflationBps: 200,
                recycleBps: 5_000,
                maxScaleStepBps: 2_500,
                minRewardScale: 1e17,
                budgetFloor: 1_000e18,
                budgetMax: 10_000_000e18
            }),
            75_000e18
        );
        handler = new EmissionHandler(token, emission);
        token.grantRole(token.MINTER_ROLE(), address(this));
        token.mint(address(handler), 400_000_000e18);
        token.grantRole(token.MINTER_ROLE(), address(handler));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_supplyWithinCap() public view {
        if (token.totalSupply() > token.cap()) revert SupplyAboveCap(token.totalSupply(), token.cap());
    }

    function invariant_epochsWithinLimits() public view {
        for (uint256 i = 0; i < handler.touchedLength(); ++i) {
            uint256 epoch = handler.touchedEpochs(i);
            IEmissionController.EpochState memory state = emission.epochState(epoch);
            uint256 ghost = handler.ghostMinted(epoch);
            if (state.minted != ghost) revert RecordMismatch(epoch, state.minted, ghost);
            if (ghost > state.limit || state.limit > state.budget) {
                revert EpochOverLimit(epoch, ghost, state.limit, state.budget);
            }
            if (state.opened && (state.rewardScale < emission.MIN_REWARD_SCALE() || state.rewardScale > 1e18)) {
                revert ScaleOutOfBounds(epoch, state.rewardScale);
            }
        }
    }

    function invariant_trailingYearWithinCap() public view {
        uint256 n = handler.mintsLength();
        for (uint256 i = 0; i < n; ++i) {
            (uint256 t, uint256 epoch, uint256 amount) = handler.mints(i);
            if (amount == 0) continue;
            uint256 sum;
            for (uint256 j = 0; j <= i; ++j) {
                (uint256 tj, , uint256 aj) = handler.mints(j);
                if (tj + 365 days > t) sum += aj;
            }
            uint256 cap = emission.epochState(epoch).annualCap;
            if (sum > cap) revert TrailingYearOverCap(t, sum, cap);
        }
    }

    function invariant_noUnauthorizedSuccess() public view {
        if (handler.ghostOvermintSuccesses() != 0 || handler.ghostUnauthorizedPolicySuccesses() != 0) {
            revert UnexpectedSuccess(handler.ghostOvermintSuccesses(), handler.ghostUnauthorizedPolicySuccesses());
        }
    }
}
