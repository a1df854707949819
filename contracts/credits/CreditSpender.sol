// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IEmissionController} from "../emission/IEmissionController.sol";
import {PermitParams, TokenPermit} from "../libraries/TokenPermit.sol";
import {ICreditToken} from "../token/ICreditToken.sol";
import {ICreditSpender} from "./ICreditSpender.sol";

/**
 * @title CreditSpender
 * @notice Pay-per-use payments and premium tiers, paid in credits: a governed share of every
 * payment is burned through the EmissionController, the rest goes to the treasury.
 *
 * Composition: OpenZeppelin's Ownable2Step (the owner is the timelock), Pausable (a guardian
 * may pause, only the owner unpauses), EIP712 + Nonces + SignatureChecker for the gasless path
 * (EOAs and ERC-1271 contract wallets), SafeERC20 for the token.
 *
 * Trade-offs taken deliberately:
 * - Usage references are not stored. The {Spent} event is the receipt; storing a reference
 *   would cost a fresh slot (22,100 gas) per payment for a lookup the gateway does off-chain.
 *   So the contract does not refuse a second payment for the same reference.
 * - A payment is pulled once, into this contract, which burns its share and forwards the
 *   rest to the treasury in the same call (it holds nothing between calls). One `transferFrom`
 *   instead of two saves a second update of the payer's balance and, for a payer who
 *   delegates, of the delegate's vote checkpoint (about 4,000 gas; snapshots/credits-gas.json).
 * - Prices are not bounded in code: they only change through a proposal and the timelock
 *   delay, every purchase names the most it accepts to pay (`maxCost`), and pay-per-use
 *   amounts are named by the payer.
 *
 * IMPORTANT: Trust model. Every setter is the owner's (the timelock's). The guardian can only
 * pause. No one, the owner included, can move a user's tokens without the user's allowance
 * or signed authorisation, or shorten premium time already bought.
 */
contract CreditSpender is ICreditSpender, EIP712, Nonces, Ownable2Step, Pausable {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice Basis points denominator.
    uint256 public constant BPS = 10_000;
    /// @inheritdoc ICreditSpender
    uint256 public constant MAX_BURN_SHARE_BPS = 10_000; // 100%
    /// @notice The length of one premium period.
    uint256 public constant PERIOD = 30 days;
    /// @inheritdoc ICreditSpender
    uint256 public constant MAX_PERIODS = 12; // a year per purchase; purchases stack

    bytes32 private constant _SPEND_TYPEHASH = keccak256(
        "Spend(address payer,uint256 amount,bytes32 usageRef,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _BUY_PREMIUM_TYPEHASH = keccak256(
        "BuyPremium(address buyer,uint8 tier,uint256 periods,uint256 maxCost,uint256 nonce,uint256 deadline)"
    );

    /// @dev A tier, in one slot.
    struct Tier {
        uint128 price;
        uint16 rank;
        bool enabled;
    }

    /// @dev An account's premium, in one slot: `rate` is what the remaining time was paid, per period.
    struct Subscription {
        uint8 tier;
        uint64 expiry;
        uint128 rate;
    }

    /// @dev A purchase as priced by {_quote}.
    struct Purchase {
        uint256 cost;
        uint64 expiry;
        uint128 rate;
        bool converted;
        uint8 fromTier;
        uint256 remaining;
        uint256 credited;
    }

    /// @notice The credit token users pay with.
    ICreditToken public immutable token;
    /// @notice The supply policy every burn is recorded with.
    IEmissionController public immutable emission;
    /// @inheritdoc ICreditSpender
    address public immutable treasury;

    mapping(uint8 tier => Tier) private _tiers;
    mapping(address account => Subscription) private _premium;
    uint8 private _tierCount;
    uint16 private _burnShareBps;
    address private _guardian;

    /**
     * @notice Deploys the spender with its default tiers.
     * @param token_ The credit token.
     * @param emission_ The EmissionController metering the same token (burns are recorded there).
     * @param owner_ The owner of every setter: the governance timelock.
     * @param treasury_ Where the non-burned part of payments goes: the governance timelock.
     * @param guardian_ The guardian, who may pause (zero for none).
     * @param burnShareBps_ The burned share of every payment, at most {MAX_BURN_SHARE_BPS}.
     * @param tiers The default tiers; their ids are their positions plus one.
     */
    constructor(
        ICreditToken token_,
        IEmissionController emission_,
        address owner_,
        address treasury_,
        address guardian_,
        uint256 burnShareBps_,
        TierInit[] memory tiers
    ) EIP712("CreditSpender", "1") Ownable(owner_) {
        if (address(token_) == address(0) || treasury_ == address(0) || emission_.token() != address(token_)) {
            revert CreditSpenderInvalidConfig();
        }
        token = token_;
        emission = emission_;
        treasury = treasury_;
        _setBurnShare(burnShareBps_);
        _setGuardian(guardian_);
        // Bounded by the constructor argument (and by 255 tier ids).
        for (uint256 i = 0; i < tiers.length; ++i) {
            _addTier(tiers[i].price, tiers[i].rank);
        }
        // The controller burns what this contract holds through burnFrom: one approval for good.
        IERC20(address(token_)).forceApprove(address(emission_), type(uint256).max);
    }

    // ------------------------------------------------------------------ pay per use

    /// @inheritdoc ICreditSpender
    function spend(uint256 amount, bytes32 usageRef) external whenNotPaused {
        _spend(msg.sender, amount, usageRef);
    }

    /// @inheritdoc ICreditSpender
    function spendWithPermit(uint256 amount, bytes32 usageRef, PermitParams calldata permit) external whenNotPaused {
        TokenPermit.tryPermit(token, msg.sender, address(this), permit);
        _spend(msg.sender, amount, usageRef);
    }

    /// @inheritdoc ICreditSpender
    function spendBySig(
        SpendAuthorization calldata authorization,
        bytes calldata signature,
        PermitParams calldata permit
    ) external whenNotPaused {
        address payer = authorization.payer;
        _useAuthorization(payer, authorization.nonce, authorization.deadline, _hashSpend(authorization), signature);
        if (permit.deadline != 0) TokenPermit.tryPermit(token, payer, address(this), permit);
        _spend(payer, authorization.amount, authorization.usageRef);
    }

    // ------------------------------------------------------------------ premium

    /// @inheritdoc ICreditSpender
    function buyPremium(uint8 tier, uint256 periods, uint256 maxCost) external whenNotPaused returns (uint64 expiry) {
        return _buyPremium(msg.sender, tier, periods, maxCost);
    }

    /// @inheritdoc ICreditSpender
    function buyPremiumWithPermit(
        uint8 tier,
        uint256 periods,
        uint256 maxCost,
        PermitParams calldata permit
    ) external whenNotPaused returns (uint64 expiry) {
        TokenPermit.tryPermit(token, msg.sender, address(this), permit);
        return _buyPremium(msg.sender, tier, periods, maxCost);
    }

    /// @inheritdoc ICreditSpender
    function buyPremiumBySig(
        PremiumAuthorization calldata authorization,
        bytes calldata signature,
        PermitParams calldata permit
    ) external whenNotPaused returns (uint64 expiry) {
        address buyer = authorization.buyer;
        _useAuthorization(
            buyer,
            authorization.nonce,
            authorization.deadline,
            _hashBuyPremium(authorization),
            signature
        );
        if (permit.deadline != 0) TokenPermit.tryPermit(token, buyer, address(this), permit);
        return _buyPremium(buyer, authorization.tier, authorization.periods, authorization.maxCost);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc ICreditSpender
    function addTier(uint256 price, uint16 rank) external onlyOwner returns (uint8 tier) {
        return _addTier(price, rank);
    }

    /// @inheritdoc ICreditSpender
    function setTierPrice(uint8 tier, uint256 price) external onlyOwner {
        Tier storage stored = _existingTier(tier);
        uint128 newPrice = _validatePrice(price);
        emit TierPriceSet(tier, stored.price, newPrice);
        stored.price = newPrice;
    }

    /// @inheritdoc ICreditSpender
    function setTierEnabled(uint8 tier, bool enabled) external onlyOwner {
        _existingTier(tier).enabled = enabled;
        emit TierEnabledSet(tier, enabled);
    }

    /// @inheritdoc ICreditSpender
    function setBurnShare(uint256 bps) external onlyOwner {
        _setBurnShare(bps);
    }

    /// @inheritdoc ICreditSpender
    function setGuardian(address newGuardian) external onlyOwner {
        _setGuardian(newGuardian);
    }

    /// @inheritdoc ICreditSpender
    function pause() external {
        if (msg.sender != _guardian && msg.sender != owner()) revert CreditSpenderUnauthorizedPauser(msg.sender);
        _pause();
    }

    /// @inheritdoc ICreditSpender
    function unpause() external onlyOwner {
        _unpause();
    }

    /**
     * @notice Ownership cannot be renounced: the setters must always have an owner (the timelock).
     * @dev Always reverts (with {CreditSpenderRenounceDisabled} for the owner).
     */
    function renounceOwnership() public view override onlyOwner {
        revert CreditSpenderRenounceDisabled();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ICreditSpender
    function hashSpend(SpendAuthorization calldata authorization) external view returns (bytes32) {
        return _hashSpend(authorization);
    }

    /// @inheritdoc ICreditSpender
    function hashBuyPremium(PremiumAuthorization calldata authorization) external view returns (bytes32) {
        return _hashBuyPremium(authorization);
    }

    /// @inheritdoc ICreditSpender
    function quotePremium(
        address buyer,
        uint8 tier,
        uint256 periods
    ) external view returns (uint256 cost, uint64 expiry) {
        Purchase memory purchase = _quote(buyer, tier, periods);
        return (purchase.cost, purchase.expiry);
    }

    /// @inheritdoc ICreditSpender
    function premiumOf(address account) external view returns (PremiumView memory) {
        Subscription memory held = _premium[account];
        return
            PremiumView({
                tier: held.tier,
                rank: _tiers[held.tier].rank,
                expiry: held.expiry,
                rate: held.rate,
                active: held.expiry > block.timestamp
            });
    }

    /// @inheritdoc ICreditSpender
    function tierConfig(uint8 tier) external view returns (TierView memory) {
        Tier memory stored = _existingTier(tier);
        return TierView({price: stored.price, rank: stored.rank, enabled: stored.enabled});
    }

    /// @inheritdoc ICreditSpender
    function tierCount() external view returns (uint256) {
        return _tierCount;
    }

    /// @inheritdoc ICreditSpender
    function burnShareBps() external view returns (uint256) {
        return _burnShareBps;
    }

    /// @inheritdoc ICreditSpender
    function guardian() external view returns (address) {
        return _guardian;
    }

    // ------------------------------------------------------------------ internals

    function _spend(address payer, uint256 amount, bytes32 usageRef) private {
        if (amount == 0) revert CreditSpenderZeroAmount();
        if (usageRef == bytes32(0)) revert CreditSpenderInvalidUsageRef();
        (uint256 burned, uint256 toTreasury) = _collect(payer, amount);
        emit Spent(payer, usageRef, amount, burned, toTreasury);
    }

    function _buyPremium(address buyer, uint8 tier, uint256 periods, uint256 maxCost) private returns (uint64 expiry) {
        Purchase memory purchase = _quote(buyer, tier, periods);
        if (purchase.cost > maxCost) revert CreditSpenderCostAboveMaximum(purchase.cost, maxCost);
        _premium[buyer] = Subscription({tier: tier, expiry: purchase.expiry, rate: purchase.rate});
        if (purchase.converted) {
            emit PremiumConverted(buyer, purchase.fromTier, tier, purchase.remaining, purchase.credited);
        }
        (uint256 burned, ) = _collect(buyer, purchase.cost);
        emit PremiumPurchased(buyer, tier, periods, purchase.cost, burned, purchase.expiry);
        return purchase.expiry;
    }

    /**
     * @dev Prices `periods` of `tierId` for `buyer` now, applying the stacking, upgrade and
     * downgrade rules of {buyPremium}. Reverts for an invalid purchase.
     */
    function _quote(address buyer, uint8 tierId, uint256 periods) private view returns (Purchase memory purchase) {
        if (periods == 0 || periods > MAX_PERIODS) revert CreditSpenderInvalidPeriods(periods, MAX_PERIODS);
        Tier memory tier = _existingTier(tierId);
        if (!tier.enabled) revert CreditSpenderTierDisabled(tierId);
        uint256 price = tier.price;
        uint256 bought = periods * PERIOD;
        purchase.cost = price * periods;

        Subscription memory held = _premium[buyer];
        uint256 rate = price;
        uint256 expiry;
        if (held.expiry <= block.timestamp) {
            // Nothing active: the periods start now.
            expiry = block.timestamp + bought;
        } else {
            uint256 remaining = held.expiry - block.timestamp;
            if (held.tier == tierId) {
                // Same tier: stack after the current expiry. The rate becomes the average paid
                // over the whole remaining time, so that a later upgrade credits what was paid.
                expiry = held.expiry + bought;
                rate = (remaining * held.rate + bought * price) / (remaining + bought);
            } else {
                uint8 heldTier = held.tier;
                if (tier.rank < _tiers[heldTier].rank) {
                    revert CreditSpenderDowngradeWhileActive(heldTier, tierId, held.expiry);
                }
                // Upgrade: the remaining time, valued at what it was paid, buys time on the new
                // tier at its price (rounded down), before the new periods.
                uint256 credited = (remaining * held.rate) / price;
                expiry = block.timestamp + credited + bought;
                purchase.converted = true;
                purchase.fromTier = heldTier;
                purchase.remaining = remaining;
                purchase.credited = credited;
            }
        }
        purchase.expiry = expiry.toUint64();
        purchase.rate = rate.toUint128();
    }

    /// @dev Takes `amount` from `payer`: burns the governed share (rounded down), sends the rest to the treasury.
    function _collect(address payer, uint256 amount) private returns (uint256 burned, uint256 toTreasury) {
        burned = Math.mulDiv(amount, _burnShareBps, BPS);
        toTreasury = amount - burned;
        IERC20 credits = IERC20(address(token));
        credits.safeTransferFrom(payer, address(this), amount);
        // Burns from this contract (approved at construction) and records it for the supply policy.
        if (burned != 0) emission.burn(burned);
        if (toTreasury != 0) credits.safeTransfer(treasury, toTreasury);
    }

    /// @dev Checks a signed authorisation and consumes its nonce; emits {AuthorizationUsed}.
    function _useAuthorization(
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes32 digest,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) revert CreditSpenderExpiredAuthorization(deadline, block.timestamp);
        _useCheckedNonce(signer, nonce);
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, digest, signature)) {
            revert CreditSpenderInvalidSignature(signer);
        }
        emit AuthorizationUsed(signer, nonce, msg.sender);
    }

    function _addTier(uint256 price, uint16 rank) private returns (uint8 tier) {
        uint256 count = _tierCount;
        if (count == type(uint8).max) revert CreditSpenderTooManyTiers();
        tier = uint8(count + 1); // cannot overflow: count < 255
        _tiers[tier] = Tier({price: _validatePrice(price), rank: rank, enabled: true});
        _tierCount = tier;
        emit TierAdded(tier, price, rank);
    }

    function _existingTier(uint8 tier) private view returns (Tier storage) {
        if (tier == 0 || tier > _tierCount) revert CreditSpenderUnknownTier(tier);
        return _tiers[tier];
    }

    function _validatePrice(uint256 price) private pure returns (uint128) {
        if (price == 0 || price > type(uint128).max) revert CreditSpenderInvalidPrice(price);
        return uint128(price);
    }

    function _setBurnShare(uint256 bps) private {
        if (bps > MAX_BURN_SHARE_BPS) revert CreditSpenderBurnShareTooHigh(bps, MAX_BURN_SHARE_BPS);
        emit BurnShareSet(_burnShareBps, bps);
        _burnShareBps = uint16(bps); // cannot truncate: bps <= 10_000
    }

    function _setGuardian(address newGuardian) private {
        emit GuardianSet(_guardian, newGuardian);
        _guardian = newGuardian;
    }

    function _hashSpend(SpendAuthorization calldata authorization) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        _SPEND_TYPEHASH,
                        authorization.payer,
                        authorization.amount,
                        authorization.usageRef,
                        authorization.nonce,
                        authorization.deadline
                    )
                )
            );
    }

    function _hashBuyPremium(PremiumAuthorization calldata authorization) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        _BUY_PREMIUM_TYPEHASH,
                        authorization.buyer,
                        authorization.tier,
                        authorization.periods,
                        authorization.maxCost,
                        authorization.nonce,
                        authorization.deadline
                    )
                )
            );
    }
}
