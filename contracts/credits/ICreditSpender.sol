// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PermitParams} from "../libraries/TokenPermit.sol";

/**
 * @title ICreditSpender
 * @notice What users spend credits on: pay per use of the LLM product, and premium tiers
 * unlocked for 30-day periods. Every payment is split in two: a governed share is burned
 * through the EmissionController (which records it for the supply policy), the rest goes to
 * the treasury (the governance timelock).
 *
 * Three ways to pay, for both kinds of payment:
 * - directly, after an ERC-20 approval (`spend`, `buyPremium`);
 * - in one transaction with an ERC-2612 permit (`spendWithPermit`, `buyPremiumWithPermit`);
 * - gasless: a relayer submits the user's EIP-712 authorisation (`Spend` or `BuyPremium`,
 *   with a nonce and a deadline), with a permit or against a prior allowance (`spendBySig`,
 *   `buyPremiumBySig`). The authorisation binds the chain, this contract, the payer, every
 *   amount and a nonce, so a relayer can only submit it as signed, once, before its deadline.
 *
 * Pay per use: `usageRef` names the LLM request or session paid for. It is not stored: the
 * {Spent} event, indexed by payer and by `usageRef`, is the receipt the gateway looks up. Paying
 * the same `usageRef` twice is allowed and shows as two receipts; anyone may pay for any
 * reference (a gift), so a gateway that wants the payer to be the caller checks the event's
 * `payer`, or makes the reference a hash of a secret only the caller holds.
 *
 * Premium: tiers have a governed price per 30 days, a rank fixed when they are added, and an
 * enabled flag. The purchase rules (see {buyPremium}):
 * - same tier as the active one: the new periods stack from the current expiry;
 * - a tier of equal or higher rank: the remaining time is converted at the value it was paid
 *   for into time on the new tier, and the new periods are added after it (upgrade);
 * - a tier of lower rank while a higher one is active: refused (downgrade); buy it once the
 *   current tier has expired;
 * - nothing active: the periods start now.
 */
interface ICreditSpender {
    /// @notice A premium tier as readable from outside.
    struct TierView {
        /// @dev Price of one 30-day period, in the token's smallest unit.
        uint256 price;
        /// @dev The tier's rank: a higher rank is a higher tier (fixed when the tier is added).
        uint16 rank;
        /// @dev Whether the tier can be bought.
        bool enabled;
    }

    /// @notice A default tier given at construction.
    struct TierInit {
        /// @dev Price of one 30-day period.
        uint256 price;
        /// @dev The tier's rank.
        uint16 rank;
    }

    /// @notice An account's premium status.
    struct PremiumView {
        /// @dev The tier last bought (0: never).
        uint8 tier;
        /// @dev That tier's rank.
        uint16 rank;
        /// @dev The first second at which premium is no longer active.
        uint64 expiry;
        /// @dev What the remaining time was paid, in tokens per 30 days (used to convert it on an upgrade).
        uint256 rate;
        /// @dev Whether premium is active now (`expiry > block.timestamp`).
        bool active;
    }

    /// @notice A user's authorisation of a pay-per-use payment (the EIP-712 `Spend` struct).
    struct SpendAuthorization {
        /// @dev Who pays and signs.
        address payer;
        /// @dev The tokens to spend.
        uint256 amount;
        /// @dev The LLM request or session paid for.
        bytes32 usageRef;
        /// @dev The payer's current nonce at this contract.
        uint256 nonce;
        /// @dev The last second at which the authorisation may be used.
        uint256 deadline;
    }

    /// @notice A user's authorisation of a premium purchase (the EIP-712 `BuyPremium` struct).
    struct PremiumAuthorization {
        /// @dev Who pays, signs and receives the premium time.
        address buyer;
        /// @dev The tier.
        uint8 tier;
        /// @dev The number of 30-day periods.
        uint256 periods;
        /// @dev The most the buyer accepts to pay (protects against a price change before submission).
        uint256 maxCost;
        /// @dev The buyer's current nonce at this contract.
        uint256 nonce;
        /// @dev The last second at which the authorisation may be used.
        uint256 deadline;
    }

    /// @dev A payment of zero tokens.
    error CreditSpenderZeroAmount();

    /// @dev The usage reference is zero.
    error CreditSpenderInvalidUsageRef();

    /// @dev The number of periods is zero or above the maximum per purchase.
    error CreditSpenderInvalidPeriods(uint256 periods, uint256 maxPeriods);

    /// @dev No tier has this id.
    error CreditSpenderUnknownTier(uint8 tier);

    /// @dev The tier cannot be bought now.
    error CreditSpenderTierDisabled(uint8 tier);

    /// @dev A tier of lower rank than the active one, which expires at `expiry`, was requested.
    error CreditSpenderDowngradeWhileActive(uint8 activeTier, uint8 requestedTier, uint64 expiry);

    /// @dev The purchase would cost more than the buyer accepted.
    error CreditSpenderCostAboveMaximum(uint256 cost, uint256 maxCost);

    /// @dev The authorisation's deadline has passed.
    error CreditSpenderExpiredAuthorization(uint256 deadline, uint256 timestamp);

    /// @dev The signature is not `signer`'s over the authorisation.
    error CreditSpenderInvalidSignature(address signer);

    /// @dev The burn share is above the maximum (100%).
    error CreditSpenderBurnShareTooHigh(uint256 bps, uint256 maxBps);

    /// @dev A tier price of zero, or above what a tier stores (2^128 - 1).
    error CreditSpenderInvalidPrice(uint256 price);

    /// @dev All 255 tier ids are taken.
    error CreditSpenderTooManyTiers();

    /// @dev Only the guardian or the owner may pause.
    error CreditSpenderUnauthorizedPauser(address caller);

    /// @dev Ownership cannot be renounced.
    error CreditSpenderRenounceDisabled();

    /// @dev A constructor argument is out of range.
    error CreditSpenderInvalidConfig();

    /**
     * @notice `payer` paid `amount` tokens for the LLM usage `usageRef`.
     * @param payer Who paid.
     * @param usageRef The LLM request or session paid for.
     * @param amount The tokens paid.
     * @param burned The part burned.
     * @param toTreasury The part sent to the treasury.
     */
    event Spent(address indexed payer, bytes32 indexed usageRef, uint256 amount, uint256 burned, uint256 toTreasury);

    /**
     * @notice `buyer` bought `periods` periods of `tier`; premium is now active until `expiry`.
     * @param buyer Who bought.
     * @param tier The tier.
     * @param periods The number of 30-day periods bought.
     * @param cost The tokens paid.
     * @param burned The part of `cost` burned.
     * @param expiry The new expiry.
     */
    event PremiumPurchased(
        address indexed buyer,
        uint8 indexed tier,
        uint256 periods,
        uint256 cost,
        uint256 burned,
        uint64 expiry
    );

    /**
     * @notice On an upgrade, `buyer`'s remaining time on `fromTier` became `creditedSeconds` on `toTier`.
     * @param buyer The buyer.
     * @param fromTier The tier that was active.
     * @param toTier The tier bought.
     * @param remainingSeconds The time that was left on `fromTier`.
     * @param creditedSeconds The time it was converted into on `toTier` (before the new periods).
     */
    event PremiumConverted(
        address indexed buyer,
        uint8 indexed fromTier,
        uint8 indexed toTier,
        uint256 remainingSeconds,
        uint256 creditedSeconds
    );

    /**
     * @notice A relayer used `signer`'s authorisation with nonce `nonce`.
     * @param signer The user who signed.
     * @param nonce The nonce consumed.
     * @param relayer The account that submitted it.
     */
    event AuthorizationUsed(address indexed signer, uint256 indexed nonce, address relayer);

    /**
     * @notice A tier was added.
     * @param tier The new tier id.
     * @param price Its price per 30 days.
     * @param rank Its rank.
     */
    event TierAdded(uint8 indexed tier, uint256 price, uint16 rank);

    /**
     * @notice A tier's price changed; it applies to purchases from now on.
     * @param tier The tier.
     * @param oldPrice The previous price per 30 days.
     * @param newPrice The new price per 30 days.
     */
    event TierPriceSet(uint8 indexed tier, uint256 oldPrice, uint256 newPrice);

    /**
     * @notice A tier was enabled or disabled.
     * @param tier The tier.
     * @param enabled Whether it can be bought.
     */
    event TierEnabledSet(uint8 indexed tier, bool enabled);

    /**
     * @notice The burned share of every payment changed.
     * @param oldBps The previous share, in basis points.
     * @param newBps The new share, in basis points.
     */
    event BurnShareSet(uint256 oldBps, uint256 newBps);

    /**
     * @notice The guardian changed.
     * @param oldGuardian The previous guardian.
     * @param newGuardian The new guardian.
     */
    event GuardianSet(address oldGuardian, address newGuardian);

    /**
     * @notice Pays `amount` of the caller's tokens for the LLM usage `usageRef`.
     * @dev Needs an allowance of `amount` to this contract. Reverts when paused, for a zero
     * amount or a zero reference. Burns {burnShareBps} of `amount` through the
     * EmissionController (rounded down) and sends the rest to the treasury.
     * Emits a {Spent} event.
     * @param amount The tokens to pay.
     * @param usageRef The LLM request or session paid for (not zero).
     */
    function spend(uint256 amount, bytes32 usageRef) external;

    /**
     * @notice {spend} in one transaction from a wallet: submits the caller's ERC-2612 permit first.
     * @dev A permit that fails (for instance because someone submitted it first) is ignored;
     * the payment then needs the allowance to be in place. Emits a {Spent} event.
     * @param amount The tokens to pay.
     * @param usageRef The LLM request or session paid for.
     * @param permit The caller's permit for this contract, for at least `amount`.
     */
    function spendWithPermit(uint256 amount, bytes32 usageRef, PermitParams calldata permit) external;

    /**
     * @notice Gasless {spend}: anyone submits the payer's signed authorisation.
     * @dev The signature is checked with ERC-1271 for contract wallets and ECDSA otherwise.
     * Reverts if the deadline has passed, the nonce is not the payer's current one
     * (`InvalidAccountNonce`: a replay), or the signature is not the payer's. A `permit`
     * with a zero deadline is skipped (the payment then uses a prior allowance); otherwise it
     * is submitted as in {spendWithPermit}. Emits {AuthorizationUsed} and {Spent}.
     * @param authorization The payment, as signed.
     * @param signature The payer's signature over {hashSpend}.
     * @param permit The payer's ERC-2612 permit, or zeros to use a prior allowance.
     */
    function spendBySig(
        SpendAuthorization calldata authorization,
        bytes calldata signature,
        PermitParams calldata permit
    ) external;

    /**
     * @notice Buys `periods` 30-day periods of `tier` for the caller.
     * @dev Needs an allowance of the cost. Reverts when paused, for an unknown or disabled tier,
     * zero periods or more than {MAX_PERIODS}, a cost above `maxCost`, and a tier of lower
     * rank than the caller's active one. The cost, `price * periods`, is split like a
     * {spend}. The new expiry (see the contract's header for the rules):
     * - same tier, active: `expiry + periods * 30 days`;
     * - another tier of equal or higher rank, active: `now + remaining * rate / price +
     *   periods * 30 days`, where `rate` is what the remaining time was paid per 30 days
     *   (rounded down, in the protocol's favour);
     * - nothing active: `now + periods * 30 days`.
     * Emits {PremiumPurchased}, and {PremiumConverted} on an upgrade.
     * @param tier The tier id.
     * @param periods The number of 30-day periods, 1 to {MAX_PERIODS}.
     * @param maxCost The most the caller accepts to pay.
     * @return expiry The caller's new expiry.
     */
    function buyPremium(uint8 tier, uint256 periods, uint256 maxCost) external returns (uint64 expiry);

    /**
     * @notice {buyPremium} in one transaction from a wallet, with the caller's ERC-2612 permit.
     * @dev A failing permit is ignored as in {spendWithPermit}.
     * @param tier The tier id.
     * @param periods The number of 30-day periods.
     * @param maxCost The most the caller accepts to pay.
     * @param permit The caller's permit for this contract, for at least the cost.
     * @return expiry The caller's new expiry.
     */
    function buyPremiumWithPermit(
        uint8 tier,
        uint256 periods,
        uint256 maxCost,
        PermitParams calldata permit
    ) external returns (uint64 expiry);

    /**
     * @notice Gasless {buyPremium}: anyone submits the buyer's signed authorisation.
     * @dev Checks as in {spendBySig}; a zero-deadline `permit` is skipped.
     * Emits {AuthorizationUsed} and {PremiumPurchased}.
     * @param authorization The purchase, as signed.
     * @param signature The buyer's signature over {hashBuyPremium}.
     * @param permit The buyer's ERC-2612 permit, or zeros to use a prior allowance.
     * @return expiry The buyer's new expiry.
     */
    function buyPremiumBySig(
        PremiumAuthorization calldata authorization,
        bytes calldata signature,
        PermitParams calldata permit
    ) external returns (uint64 expiry);

    /**
     * @notice Adds a premium tier, enabled.
     * @dev Only callable by the owner (the timelock). Emits {TierAdded}.
     * @param price The price of one 30-day period (not zero).
     * @param rank The tier's rank, fixed from now on.
     * @return tier The new tier id (ids start at 1).
     */
    function addTier(uint256 price, uint16 rank) external returns (uint8 tier);

    /**
     * @notice Changes a tier's price; time already bought is not affected.
     * @dev Only callable by the owner. Emits {TierPriceSet}.
     * @param tier The tier id.
     * @param price The new price of one 30-day period (not zero).
     */
    function setTierPrice(uint8 tier, uint256 price) external;

    /**
     * @notice Enables or disables a tier; time already bought stays valid.
     * @dev Only callable by the owner. Emits {TierEnabledSet}.
     * @param tier The tier id.
     * @param enabled Whether it can be bought.
     */
    function setTierEnabled(uint8 tier, bool enabled) external;

    /**
     * @notice Sets the burned share of every payment.
     * @dev Only callable by the owner; at most {MAX_BURN_SHARE_BPS}. Emits {BurnShareSet}.
     * @param bps The share, in basis points.
     */
    function setBurnShare(uint256 bps) external;

    /**
     * @notice Sets the guardian, who may pause and do nothing else.
     * @dev Only callable by the owner. Emits {GuardianSet}.
     * @param newGuardian The new guardian (zero for none).
     */
    function setGuardian(address newGuardian) external;

    /**
     * @notice Stops every payment (premium already bought stays active).
     * @dev Callable by the guardian or the owner. Emits {Paused}.
     */
    function pause() external;

    /**
     * @notice Resumes payments.
     * @dev Only callable by the owner. Emits {Unpaused}.
     */
    function unpause() external;

    /**
     * @notice The EIP-712 digest a payer signs for {spendBySig}.
     * @param authorization The payment.
     * @return The digest.
     */
    function hashSpend(SpendAuthorization calldata authorization) external view returns (bytes32);

    /**
     * @notice The EIP-712 digest a buyer signs for {buyPremiumBySig}.
     * @param authorization The purchase.
     * @return The digest.
     */
    function hashBuyPremium(PremiumAuthorization calldata authorization) external view returns (bytes32);

    /**
     * @notice What a purchase would cost and the expiry it would give, now.
     * @dev Reverts as {buyPremium} would for an invalid purchase (not for the allowance or `maxCost`).
     * @param buyer The buyer.
     * @param tier The tier id.
     * @param periods The number of 30-day periods.
     * @return cost The tokens it costs.
     * @return expiry The buyer's expiry after it.
     */
    function quotePremium(
        address buyer,
        uint8 tier,
        uint256 periods
    ) external view returns (uint256 cost, uint64 expiry);

    /**
     * @notice An account's premium status.
     * @param account The account.
     * @return The tier, its rank, the expiry, the rate paid and whether it is active now.
     */
    function premiumOf(address account) external view returns (PremiumView memory);

    /**
     * @notice A tier's configuration.
     * @param tier The tier id.
     * @return The tier (reverts for an unknown id).
     */
    function tierConfig(uint8 tier) external view returns (TierView memory);

    /**
     * @notice The number of tiers; ids are 1 to count.
     * @return The count.
     */
    function tierCount() external view returns (uint256);

    /**
     * @notice The burned share of every payment.
     * @return The share, in basis points.
     */
    function burnShareBps() external view returns (uint256);

    /**
     * @notice The guardian, who may pause.
     * @return The guardian's address.
     */
    function guardian() external view returns (address);

    /**
     * @notice Where the non-burned part of every payment goes: the governance timelock (immutable).
     * @return The treasury's address.
     */
    function treasury() external view returns (address);

    /**
     * @notice The most periods one purchase may buy.
     * @return The maximum.
     */
    function MAX_PERIODS() external view returns (uint256); // solhint-disable-line func-name-mixedcase

    /**
     * @notice The hard maximum of the burn share: 10,000 basis points (100%).
     * @return The maximum, in basis points.
     */
    function MAX_BURN_SHARE_BPS() external view returns (uint256); // solhint-disable-line func-name-mixedcase
}
