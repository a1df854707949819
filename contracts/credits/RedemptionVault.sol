// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IEmissionController} from "../emission/IEmissionController.sol";
import {PermitParams, TokenPermit} from "../libraries/TokenPermit.sol";
import {ICreditToken} from "../token/ICreditToken.sol";
import {IRedemptionVault} from "./IRedemptionVault.sol";

/**
 * @title RedemptionVault
 * @notice Credits in, stablecoin out: at a governed rate, within a per-epoch cap, from reserves
 * the treasury funds through governance. Redeemed credits are burned through the
 * EmissionController.
 *
 * Composition: OpenZeppelin's Ownable2Step (the owner is the timelock), Pausable (a guardian
 * may pause, only the owner unpauses) and SafeERC20.
 *
 * The cap's bookkeeping is one slot: the epoch of the last redemption and what was redeemed in
 * it. A redemption in a later epoch starts the count again, so no keeper and no history.
 *
 * Trade-offs taken deliberately:
 * - The stablecoin must be a plain ERC-20 (USDC, USDT, DAI): a fee-on-transfer or rebasing
 *   token would pay out less than the rate says. The vault does not measure transfers to
 *   support them.
 * - Checks, then effects, then the transfers, with the stablecoin's last: a stablecoin that
 *   called back into {redeem} would find the cap and the reserves already updated, so no
 *   reentrancy guard is needed.
 * - The rate is not bounded in code; it changes only through a proposal and the timelock
 *   delay, and every redemption names the least it accepts (`minPayout`).
 *
 * IMPORTANT: Invariant. Every payout is `amount * rate / 1e18` rounded down with the rate in
 * force in that transaction, so the vault never pays more stablecoin than the credits it
 * burned times the rate at the time (tested by test/credits/RedemptionVault.invariants.t.sol).
 */
contract RedemptionVault is IRedemptionVault, Ownable2Step, Pausable {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice One whole credit in the token's smallest unit: the rate is per this many.
    uint256 public constant WHOLE_TOKEN = 1e18;

    /// @dev Credits redeemed in `epoch`, the epoch of the last redemption, in one slot.
    struct Redemptions {
        uint64 epoch;
        uint192 redeemed;
    }

    /// @notice The credit token redeemed.
    ICreditToken public immutable token;
    /// @notice The supply policy every burn is recorded with; its epochs are the cap's.
    IEmissionController public immutable emission;

    IERC20 private immutable _stablecoin;
    uint256 private _rate;
    uint256 private _epochCap;
    Redemptions private _redemptions;
    address private _guardian;

    /**
     * @notice Deploys the vault, empty: the treasury funds it through governance.
     * @param token_ The credit token.
     * @param emission_ The EmissionController metering the same token.
     * @param stablecoin_ The stablecoin paid out (a plain ERC-20).
     * @param owner_ The owner of every setter: the governance timelock.
     * @param guardian_ The guardian, who may pause (zero for none).
     * @param rate_ Stablecoin units per whole credit.
     * @param epochCap_ Credits redeemable per epoch.
     */
    constructor(
        ICreditToken token_,
        IEmissionController emission_,
        IERC20 stablecoin_,
        address owner_,
        address guardian_,
        uint256 rate_,
        uint256 epochCap_
    ) Ownable(owner_) {
        if (
            address(token_) == address(0) ||
            address(stablecoin_) == address(0) ||
            address(stablecoin_) == address(token_) ||
            emission_.token() != address(token_)
        ) revert RedemptionVaultInvalidConfig();
        token = token_;
        emission = emission_;
        _stablecoin = stablecoin_;
        _setRate(rate_);
        _setEpochCap(epochCap_);
        _setGuardian(guardian_);
        // The controller burns what this contract holds through burnFrom: one approval for good.
        IERC20(address(token_)).forceApprove(address(emission_), type(uint256).max);
    }

    /// @inheritdoc IRedemptionVault
    function redeem(uint256 amount, uint256 minPayout) external whenNotPaused returns (uint256 payout) {
        return _redeem(amount, minPayout);
    }

    /// @inheritdoc IRedemptionVault
    function redeemWithPermit(
        uint256 amount,
        uint256 minPayout,
        PermitParams calldata permit
    ) external whenNotPaused returns (uint256 payout) {
        TokenPermit.tryPermit(token, msg.sender, address(this), permit);
        return _redeem(amount, minPayout);
    }

    /// @inheritdoc IRedemptionVault
    function setRate(uint256 newRate) external onlyOwner {
        _setRate(newRate);
    }

    /// @inheritdoc IRedemptionVault
    function setEpochCap(uint256 newCap) external onlyOwner {
        _setEpochCap(newCap);
    }

    /// @inheritdoc IRedemptionVault
    function withdrawReserves(address to, uint256 amount) external onlyOwner {
        if (to == address(0)) revert RedemptionVaultInvalidRecipient(to);
        emit ReservesWithdrawn(to, amount);
        _stablecoin.safeTransfer(to, amount);
    }

    /// @inheritdoc IRedemptionVault
    function setGuardian(address newGuardian) external onlyOwner {
        _setGuardian(newGuardian);
    }

    /// @inheritdoc IRedemptionVault
    function pause() external {
        if (msg.sender != _guardian && msg.sender != owner()) revert RedemptionVaultUnauthorizedPauser(msg.sender);
        _pause();
    }

    /// @inheritdoc IRedemptionVault
    function unpause() external onlyOwner {
        _unpause();
    }

    /**
     * @notice Ownership cannot be renounced: the setters must always have an owner (the timelock).
     * @dev Always reverts (with {RedemptionVaultRenounceDisabled} for the owner).
     */
    function renounceOwnership() public view override onlyOwner {
        revert RedemptionVaultRenounceDisabled();
    }

    /// @inheritdoc IRedemptionVault
    function quote(uint256 amount) external view returns (uint256) {
        return Math.mulDiv(amount, _rate, WHOLE_TOKEN);
    }

    /// @inheritdoc IRedemptionVault
    function redemptionAllowance() external view returns (uint256 epoch, uint256 cap, uint256 redeemed) {
        epoch = emission.currentEpoch();
        return (epoch, _epochCap, _redeemedIn(epoch));
    }

    /// @inheritdoc IRedemptionVault
    function reserves() external view returns (uint256) {
        return _stablecoin.balanceOf(address(this));
    }

    /// @inheritdoc IRedemptionVault
    function rate() external view returns (uint256) {
        return _rate;
    }

    /// @inheritdoc IRedemptionVault
    function epochCap() external view returns (uint256) {
        return _epochCap;
    }

    /// @inheritdoc IRedemptionVault
    function guardian() external view returns (address) {
        return _guardian;
    }

    /// @inheritdoc IRedemptionVault
    function stablecoin() external view returns (address) {
        return address(_stablecoin);
    }

    function _redeem(uint256 amount, uint256 minPayout) private returns (uint256 payout) {
        if (amount == 0) revert RedemptionVaultZeroAmount();
        uint256 currentRate = _rate;
        payout = Math.mulDiv(amount, currentRate, WHOLE_TOKEN); // rounded down
        if (payout == 0) revert RedemptionVaultZeroPayout(amount, currentRate);
        if (payout < minPayout) revert RedemptionVaultPayoutBelowMinimum(payout, minPayout);

        uint256 epoch = emission.currentEpoch();
        uint256 redeemed = _redeemedIn(epoch);
        uint256 remaining = Math.saturatingSub(_epochCap, redeemed);
        if (amount > remaining) revert RedemptionVaultEpochCapExceeded(epoch, amount, remaining);
        uint256 held = _stablecoin.balanceOf(address(this));
        if (payout > held) revert RedemptionVaultInsufficientReserves(payout, held);

        _redemptions = Redemptions({epoch: epoch.toUint64(), redeemed: (redeemed + amount).toUint192()});
        emit Redeemed(msg.sender, epoch, amount, payout, currentRate);

        IERC20(address(token)).safeTransferFrom(msg.sender, address(this), amount);
        // Burns from this contract (approved at construction) and records it for the supply policy.
        emission.burn(amount);
        _stablecoin.safeTransfer(msg.sender, payout);
    }

    function _redeemedIn(uint256 epoch) private view returns (uint256) {
        Redemptions memory last = _redemptions;
        return last.epoch == epoch ? last.redeemed : 0;
    }

    function _setRate(uint256 newRate) private {
        emit RateSet(_rate, newRate);
        _rate = newRate;
    }

    function _setEpochCap(uint256 newCap) private {
        emit EpochCapSet(_epochCap, newCap);
        _epochCap = newCap;
    }

    function _setGuardian(address newGuardian) private {
        emit GuardianSet(_guardian, newGuardian);
        _guardian = newGuardian;
    }
}
