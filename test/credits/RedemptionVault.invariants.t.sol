// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RedemptionVault} from "../../contracts/credits/RedemptionVault.sol";
import {IEmissionController} from "../../contracts/emission/IEmissionController.sol";
import {EmissionController} from "../../contracts/emission/EmissionController.sol";
import {TestStablecoin} from "../../contracts/mocks/TestStablecoin.sol";
import {CreditToken} from "../../contracts/token/CreditToken.sol";
import {CheatsBase} from "../utils/Cheats.sol";

/// @dev Drives the vault with bounded random actions: redemptions by a fixed set of holders,
/// and the owner changing the rate and the cap, funding, withdrawing, pausing; time moves.
contract RedemptionVaultHandler is CheatsBase {
    RedemptionVault public immutable vault;
    CreditToken public immutable token;
    TestStablecoin public immutable stablecoin;
    address public immutable owner;
    address[] public actors;

    /// @dev Stablecoin received by redeemers, measured as their balance changes.
    uint256 public ghostPaid;
    /// @dev The sum over successful redemptions of amount × (rate in force then) / 1e18, rounded down.
    uint256 public ghostAllowed;
    uint256 public ghostRedeemed;
    uint256 public ghostFunded;
    uint256 public ghostWithdrawn;
    uint256 public ghostRedemptions;
    uint256 public ghostRejected;
    /// @dev Redemptions after which the epoch's redeemed total was above the cap in force.
    uint256 public ghostCapViolations;

    constructor(
        RedemptionVault vault_,
        CreditToken token_,
        TestStablecoin stablecoin_,
        address owner_,
        address[] memory actors_
    ) {
        vault = vault_;
        token = token_;
        stablecoin = stablecoin_;
        owner = owner_;
        actors = actors_;
    }

    /// @dev Redeems up to the actor's balance; amounts above the cap, the reserves, or worth
    /// nothing are attempted too, and must fail without paying.
    function redeem(uint256 actorSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        amount = _bound(amount, 0, token.balanceOf(actor));
        uint256 rate = vault.rate();
        uint256 before = stablecoin.balanceOf(actor);
        VM.prank(actor);
        try vault.redeem(amount, 0) returns (uint256 payout) {
            uint256 received = stablecoin.balanceOf(actor) - before;
            require(received == payout, "payout differs from the transfer");
            ghostPaid += received;
            ghostAllowed += (amount * rate) / 1e18;
            ghostRedeemed += amount;
            ++ghostRedemptions;
            (, uint256 cap, uint256 redeemed) = vault.redemptionAllowance();
            if (redeemed > cap) ++ghostCapViolations;
        } catch {
            require(stablecoin.balanceOf(actor) == before, "a failed redemption paid");
            ++ghostRejected;
        }
    }

    /// @dev Up to 100 stablecoin per whole credit (1e8 units of 1e-6), zero included.
    function setRate(uint256 rate) external {
        VM.prank(owner);
        vault.setRate(_bound(rate, 0, 1e8));
    }

    function setEpochCap(uint256 cap) external {
        VM.prank(owner);
        vault.setEpochCap(_bound(cap, 0, 1_000_000e18));
    }

    function fund(uint256 amount) external {
        amount = _bound(amount, 0, 1_000_000e6);
        stablecoin.mint(address(vault), amount);
        ghostFunded += amount;
    }

    function withdraw(uint256 amount) external {
        amount = _bound(amount, 0, stablecoin.balanceOf(address(vault)));
        VM.prank(owner);
        vault.withdrawReserves(owner, amount);
        ghostWithdrawn += amount;
    }

    function togglePause() external {
        VM.prank(owner);
        if (vault.paused()) vault.unpause();
        else vault.pause();
    }

    function advanceTime(uint256 secondsForward) external {
        VM.warp(block.timestamp + _bound(secondsForward, 1, 2 days));
    }
}

/// @custom:invariant The vault never pays out more stablecoin than the credits redeemed times
///   the rate in force at each redemption (issue #5): paid <= sum(amount * rate / 1e18).
/// @custom:invariant The reserves are exactly funded - paid - withdrawn (nothing leaks).
/// @custom:invariant Every redeemed credit is burned: supply = genesis - redeemed, and the vault holds none.
/// @custom:invariant No redemption leaves its epoch's redeemed total above the cap.
contract RedemptionVaultInvariantTest is CheatsBase {
    error PaidAboveRedeemedTimesRate(uint256 paid, uint256 allowed);
    error ReservesMismatch(uint256 reserves, uint256 expected);
    error SupplyMismatch(uint256 supply, uint256 expected);
    error VaultHoldsCredits(uint256 balance);
    error CapExceeded(uint256 violations);

    uint256 internal constant CAP = 1_000_000_000e18;
    uint256 internal constant GENESIS_EACH = 200_000e18;
    address internal constant OWNER = address(0x71e10c);

    CreditToken internal token;
    EmissionController internal emission;
    TestStablecoin internal stablecoin;
    RedemptionVault internal vault;
    RedemptionVaultHandler internal handler;
    address[] internal actors;

    function setUp() public {
        for (uint256 i = 1; i <= 4; ++i) actors.push(address(uint160(0xC000 + i)));
        uint256[] memory amounts = new uint256[](actors.length);
        for (uint256 i = 0; i < amounts.length; ++i) amounts[i] = GENESIS_EACH;
        token = new CreditToken("Contribution Credit", "CRED", CAP, address(this), address(this), 0, actors, amounts);
        emission = new EmissionController(
            address(token),
            OWNER,
            IEmissionController.Policy({
                epochLength: 1 hours,
                maxBudgetStepBps: 1_250,
                annualInflationBps: 200,
                recycleBps: 5_000,
                maxScaleStepBps: 2_500,
                minRewardScale: 1e17,
                budgetFloor: 1e18,
                budgetMax: 1_000e18
            }),
            1_000e18
        );
        stablecoin = new TestStablecoin();
        vault = new RedemptionVault(token, emission, IERC20(address(stablecoin)), OWNER, OWNER, 10_000, 50_000e18);
        handler = new RedemptionVaultHandler(vault, token, stablecoin, OWNER, actors);
        for (uint256 i = 0; i < actors.length; ++i) {
            VM.prank(actors[i]);
            token.approve(address(vault), type(uint256).max);
        }
        handler.fund(10_000e6);
    }

    /// @dev Foundry-style target selection: only the handler is called by the fuzzer.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_neverPaysMoreThanRedeemedTimesRate() public view {
        if (handler.ghostPaid() > handler.ghostAllowed()) {
            revert PaidAboveRedeemedTimesRate(handler.ghostPaid(), handler.ghostAllowed());
        }
    }

    function invariant_reservesAreFundedMinusPaidMinusWithdrawn() public view {
        uint256 expected = handler.ghostFunded() - handler.ghostPaid() - handler.ghostWithdrawn();
        uint256 reserves = stablecoin.balanceOf(address(vault));
        if (reserves != expected) revert ReservesMismatch(reserves, expected);
    }

    function invariant_everyRedeemedCreditIsBurned() public view {
        uint256 expected = GENESIS_EACH * actors.length - handler.ghostRedeemed();
        if (token.totalSupply() != expected) revert SupplyMismatch(token.totalSupply(), expected);
        if (token.balanceOf(address(vault)) != 0) revert VaultHoldsCredits(token.balanceOf(address(vault)));
    }

    function invariant_epochCapHolds() public view {
        if (handler.ghostCapViolations() != 0) revert CapExceeded(handler.ghostCapViolations());
    }
}
