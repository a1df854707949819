// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {EmissionController} from "../../contracts/emission/EmissionController.sol";
import {IEmissionController} from "../../contracts/emission/IEmissionController.sol";
import {PackedContribution} from "../../contracts/libraries/PackedContribution.sol";
import {ContributionRewards} from "../../contracts/rewards/ContributionRewards.sol";
import {IContributionRewards} from "../../contracts/rewards/IContributionRewards.sol";
import {CreditToken} from "../../contracts/token/CreditToken.sol";
import {ICreditToken} from "../../contracts/token/ICreditToken.sol";
import {CheatsBase} from "../utils/Cheats.sol";

/// @dev The governance timelock, owner of every setter (an address with no code is enough here).
address constant TIMELOCK = address(0x7133);
/// @dev The guardian, who may pause and do nothing else.
address constant GUARDIAN = address(0x6A4D);
/// @dev Oracle key `i` of the pool is `KEY_BASE + i`.
uint256 constant KEY_BASE = 0xA11CE000;
uint256 constant KEY_POOL = 8;
uint256 constant CONTRIBUTORS = 8;
/// @dev Contributor `i` is `CONTRIBUTOR_BASE + i`.
uint160 constant CONTRIBUTOR_BASE = 0xC0C0;
/// @dev Categories 0-2 stay enabled with fixed reserves for the whole run (only strangers try
/// to change them). Category 2 has no reserve, so `available(2)` is the shared pool and
/// `available(c) - available(2)` what is left of category c's reserve.
uint256 constant LIVE_CATEGORIES = 3;
uint8 constant UNRESERVED_CATEGORY = 2;
/// @dev The most one burn action burns.
uint256 constant MAX_BURN = 10_000e18;
uint256 constant BPS = 10_000;
uint256 constant WAD = 1e18;

/**
 * @title ContributionRewardsHandler
 * @notice Drives ContributionRewards, its EmissionController and the timelock's setters with
 * bounded random actions, and keeps ghost state the invariants check: which ids it saw
 * rewarded and how often, what was minted, attested and burned per epoch and when, the policy
 * in force per epoch, and counters of every outcome the contracts must never produce
 * (`ghost...` counters and {Violations}, all of which must stay zero).
 *
 * Every submission is classified before it is sent, from the state before it: is it signed by
 * at least `threshold` distinct current signers in ascending order for this exact content and
 * signer-set version (`authorized`), are all items well formed, is any id already rewarded, is
 * the deadline still open, is the contract paused, is it a replay of a fully deferred batch
 * that would again be fully deferred. A success that any of these forbids is a violation; a
 * rejection of a batch that nothing forbids is a violation too (past the token's cap a batch
 * defers, it does not revert). A batch that nothing forbids is priced with `quote` and
 * settled in a model of the budget built from `available` (the categories' reserves first,
 * then the shared pool, in order): the items the model fits must be exactly the ones rewarded,
 * at exactly their quoted amounts.
 */
contract ContributionRewardsHandler is CheatsBase {
    /// @dev What bounded the budget of a call: the epoch's budget (or reserves), the annual
    /// cap (the limit below the budget), or the token's cap (the room under it below the limit).
    enum Bound {
        Budget,
        AnnualCap,
        TokenCap
    }

    struct Item {
        uint64 id;
        address contributor;
        uint8 category;
        uint16 quality;
    }

    struct MintLog {
        uint256 timestamp;
        uint256 epoch;
        uint256 amount;
    }

    /// @dev A policy and the first epoch it applies to.
    struct PolicyChange {
        uint256 fromEpoch;
        IEmissionController.Policy policy;
    }

    /// @dev One submission and what the state before it says about it.
    struct Call {
        uint256[] words;
        Item[] items;
        bool[] rewardedBefore;
        uint256[] prices; // quote() of each item before the call (well-formed calls only)
        bool[] fits; // whether the budget model fits each item
        uint256[CONTRIBUTORS] balancesBefore;
        uint256[CONTRIBUTORS] expectedGain;
        uint256 supplyBefore;
        uint256 epoch;
        uint256 expectedMinted;
        uint256 demand; // every item's price: what the controller must record as demand
        uint256 availableToFirst; // available(category of the first item)
        IEmissionController.EpochState opening; // the current epoch as its view reported it
        bool openedBefore; // whether the current epoch was opened (used) before the call
        Bound bound;
        bytes32 digest;
        bool authorized;
        bool wellFormed;
        bool containsRewarded;
        bool fresh;
        bool paused;
        bool replay;
        bool single;
        bool quoteMismatch;
    }

    /// @dev A signature plan: which pool keys sign, in order, for which version, over what.
    struct Signing {
        uint256[] keys;
        uint64 version;
        bool tampered;
    }

    /// @dev The signer set as the handler believes it is, in pool key indices.
    struct SignerMirror {
        uint256[] keys;
        uint256 threshold;
        uint64 version;
        address[KEY_POOL] keyAddress;
        mapping(uint256 key => bool) everSigner;
    }

    /// @dev Ids handed out, rewarded and deferred.
    struct IdLedger {
        uint64 nextId;
        uint64[] rewarded;
        uint64[] deferred;
        mapping(uint64 id => uint256) rewardCount;
        mapping(bytes32 digest => bool) fullyDeferredDigest;
    }

    /// @dev The last batch sent, to replay it.
    struct LastBatch {
        uint256[] words;
        bytes32 manifest;
        uint256 deadline;
        Signing plan;
        bool exists;
    }

    /// @dev What was minted, attested and burned, per epoch and per successful call.
    struct MintLedger {
        uint256[] touchedEpochs;
        mapping(uint256 epoch => bool) touched;
        mapping(uint256 epoch => uint256) mintedInEpoch;
        mapping(uint256 epoch => uint256) demandInEpoch;
        mapping(uint256 epoch => uint256) burnedInEpoch;
        MintLog[] log;
        uint256 total;
        uint256 burned;
    }

    /// @dev Outcomes the contracts must never produce (each must stay zero), and the last reasons seen.
    struct Violations {
        uint256 invalidAccepted;
        uint256 rewardedIdAccepted;
        uint256 replayAccepted;
        uint256 doubleRewards;
        uint256 rewardCleared;
        uint256 mintMismatches;
        uint256 deferralMismatches;
        uint256 quoteMismatches;
        uint256 unexpectedRejections;
        uint256 openingMismatches;
        uint256 burnMismatches;
        uint256 setterWrongReason;
        uint256 unauthorizedPauses;
        uint256 guardianPauseFailures;
        uint256 ownerSetterFailures;
        uint256 invalidSignerSetAccepted;
        uint256 invalidPolicyAccepted;
        bytes lastUnexpectedReason;
        bytes lastWrongSetterReason;
        bytes lastOwnerSetterFailure;
        bytes lastBurnFailure;
    }

    /// @dev What the handler exercised.
    struct Coverage {
        uint256 successfulBatches;
        uint256 failedBatches;
        uint256 fullyDeferredBatches;
        uint256 successfulSingles;
        uint256 failedSingles;
        uint256 rewardedItems;
        uint256 deferredItems;
        uint256 deferralsAtBudget;
        uint256 deferralsAtAnnualCap;
        uint256 deferralsAtTokenCap;
        uint256 replaysRefused;
        uint256 rotations;
        uint256 invalidSignerSetsRefused;
        uint256 policyChanges;
        uint256 invalidPoliciesRefused;
        uint256 burns;
        uint256 burnsRefused;
        uint256 openingsChecked;
        uint256 strangerSetterCalls;
        uint256 guardianPauses;
        uint256 unpauses;
    }

    ICreditToken public immutable token;
    EmissionController public immutable emission;
    ContributionRewards public immutable rewards;
    address public immutable deployer;

    /// @notice Successful submissions not signed by >= threshold distinct current signers over their content.
    uint256 public ghostUnauthorizedSuccesses;
    /// @notice Setter calls by someone other than the timelock that succeeded.
    uint256 public ghostUnauthorizedSetterSuccesses;

    SignerMirror internal _signers;
    IdLedger internal _ids;
    LastBatch internal _last;
    MintLedger internal _mints;
    Violations internal _violations;
    Coverage internal _coverage;
    PolicyChange[] internal _policies;

    constructor(
        ICreditToken token_,
        EmissionController emission_,
        ContributionRewards rewards_,
        address deployer_,
        uint256[] memory keys,
        uint256 threshold_
    ) {
        (token, emission, rewards, deployer) = (token_, emission_, rewards_, deployer_);
        for (uint256 i = 0; i < KEY_POOL; ++i) _signers.keyAddress[i] = VM.addr(KEY_BASE + i);
        for (uint256 i = 0; i < keys.length; ++i) {
            _signers.keys.push(keys[i]);
            _signers.everSigner[keys[i]] = true;
        }
        _signers.threshold = threshold_;
        (, , _signers.version) = rewards_.signerSet();
        _ids.nextId = 1;
        _policies.push(PolicyChange({fromEpoch: 0, policy: emission_.policy()}));
        // The controller opened its first epoch at deployment.
        _touch(emission_.currentEpoch());
        // The handler burns its own tokens through the controller, which pulls them.
        token_.approve(address(emission_), type(uint256).max);
    }

    // ------------------------------------------------------------------ actions

    /**
     * @notice Builds, signs and submits a batch of 1-16 items.
     * @param itemSeed Contributors, categories, qualities, id gaps, and (1 in 6) one malformed item.
     * @param count The number of items (bounded to 1-16).
     * @param idMode `% 16`: 0 an already rewarded id first; 1 a deferred id first (a retry); 2 an id
     * twice; 3 two ids out of order; 4 the previous batch again; otherwise fresh ids.
     * @param signMode See {_planSigning}.
     * @param extra The deadline (1 in 16 already expired), the manifest, and whether the
     * timelock unpauses first (3 in 4 when paused).
     */
    function submitBatch(uint256 itemSeed, uint256 count, uint256 idMode, uint256 signMode, uint256 extra) external {
        (itemSeed, count, idMode) = (_mix(itemSeed, 1), _mix(count, 2), _mix(idMode, 3));
        (signMode, extra) = (_mix(signMode, 4), _mix(extra, 5));
        _maybeUnpause(extra);
        if (idMode % 16 == 4 && _last.exists) {
            _submitBatch(_last.words, _last.manifest, _last.deadline, _last.plan);
            return;
        }
        uint256[] memory words = _buildItems(itemSeed, _bound(count, 1, 16), idMode % 16);
        Signing memory signing = _planSigning(signMode, uint256(keccak256(abi.encode(itemSeed, extra))));
        _submitBatch(words, keccak256(abi.encode("manifest", extra)), _deadline(extra), signing);
    }

    /// @notice Submits one contribution through `rewardContribution` (same modes as {submitBatch}).
    function submitSingle(uint256 itemSeed, uint256 idMode, uint256 signMode, uint256 extra) external {
        (itemSeed, idMode, signMode, extra) = (_mix(itemSeed, 1), _mix(idMode, 3), _mix(signMode, 4), _mix(extra, 5));
        _maybeUnpause(extra);
        uint256[] memory words = _buildItems(itemSeed, 1, idMode % 4);
        // The struct path has no packing, so no pad byte.
        words[0] &= ~(uint256(0xff) << 160);
        Signing memory signing = _planSigning(signMode, uint256(keccak256(abi.encode(itemSeed, extra))));
        // Unlike a batch, a single contribution is refused when it does not fit; it must fit
        // exactly when `available` says so.
        Call memory c = _prepare(words, _deadline(extra), signing, true);
        IContributionRewards.Contribution memory item = IContributionRewards.Contribution(
            c.items[0].id,
            c.items[0].contributor,
            c.items[0].category,
            c.items[0].quality
        );
        // A tampered signature commits to another deadline than the one submitted.
        uint256 deadline = _deadline(extra);
        bytes32 signed = rewards.hashRewardAttestation(item, signing.version, deadline + (signing.tampered ? 1 : 0));
        bytes[] memory signatures = _sign(signed, signing.keys);
        try rewards.rewardContribution(item, signing.version, deadline, signatures) returns (uint256 amount) {
            ++_coverage.successfulSingles;
            _afterSuccess(c, 1, amount);
        } catch (bytes memory reason) {
            ++_coverage.failedSingles;
            _afterFailure(c, reason);
        }
    }

    /// @notice The timelock replaces the signer set with 3-5 random pool keys, threshold 2-3
    /// (1 in 8: an invalid set, which must be refused).
    function rotateSigners(uint256 seed, uint256 sizeSeed, uint256 thresholdSeed) external {
        (seed, sizeSeed, thresholdSeed) = (_mix(seed, 6), _mix(sizeSeed, 7), _mix(thresholdSeed, 8));
        uint256 size = _bound(sizeSeed, 3, 5);
        uint256 newThreshold = _bound(thresholdSeed, 2, 3);
        uint256[] memory picked = _pickKeys(seed, size);
        address[] memory signers = new address[](size);
        for (uint256 i = 0; i < size; ++i) signers[i] = _signers.keyAddress[picked[i]];
        if (seed % 8 == 0) {
            // Invalid: threshold above n, zero threshold, or a duplicate signer.
            uint256 flavour = (seed >> 8) % 3;
            if (flavour == 0) newThreshold = size + 1;
            else if (flavour == 1) newThreshold = 0;
            else signers[size - 1] = signers[0];
            VM.prank(TIMELOCK);
            try rewards.setSigners(signers, newThreshold) {
                ++_violations.invalidSignerSetAccepted;
            } catch {
                ++_coverage.invalidSignerSetsRefused;
            }
            return;
        }
        VM.prank(TIMELOCK);
        try rewards.setSigners(signers, newThreshold) {
            ++_coverage.rotations;
            delete _signers.keys;
            for (uint256 i = 0; i < size; ++i) {
                _signers.keys.push(picked[i]);
                _signers.everSigner[picked[i]] = true;
            }
            _signers.threshold = newThreshold;
            ++_signers.version;
            (, uint256 onChainThreshold, uint64 onChainVersion) = rewards.signerSet();
            if (onChainThreshold != _signers.threshold || onChainVersion != _signers.version) {
                _ownerSetterFailed("signer set not updated");
            }
        } catch (bytes memory reason) {
            _ownerSetterFailed(reason);
        }
    }

    /**
     * @notice Time passes, at least an hour: 3 in 4 calls up to a day (so that the epoch after
     * a burn sees calls, and uses its recycled budget), 1 in 8 up to 45 days, 1 in 8 up to 400
     * days (past the annual window). When exactly one epoch boundary is crossed, the new
     * epoch's view must be what {projectedNextEpoch} reported before.
     */
    function warp(uint256 secondsForward) external {
        uint256 r = _mix(secondsForward, 9);
        uint256 upper =
            r % 8 == 0
                ? 400 days
                : r % 8 == 1
                    ? 45 days
                    : 1 days;
        uint256 epoch = emission.currentEpoch();
        IEmissionController.EpochState memory projected = emission.projectedNextEpoch();
        VM.warp(block.timestamp + 1 hours + ((r >> 8) % (upper - 1 hours)));
        if (emission.currentEpoch() != epoch + 1) return;
        IEmissionController.EpochState memory viewed = emission.epochState(epoch + 1);
        if (!_sameOpening(viewed, projected)) ++_violations.openingMismatches;
    }

    /**
     * @notice Governance of the policy. `mode % 8`: 0-1 the timelock sets a random valid
     * policy (see {_randomPolicy}), which applies from the next epoch and leaves the current
     * one as it was (or as its view reported it, if it was not yet opened); 2-6 the timelock
     * sets a policy with one parameter out of range, which must revert with that parameter's
     * error and change nothing; 7 a stranger sets a valid policy, which must revert. (Valid
     * changes are kept to about two a run, so that the deployed policy shapes most of it.)
     */
    function setEmissionPolicy(uint256 seed, uint256 mode) external {
        (seed, mode) = (_mix(seed, 10), _mix(mode, 11));
        IEmissionController.Policy memory p = _randomPolicy(seed);
        uint256 kind = mode % 8;
        if (kind == 7) {
            address caller = _stranger(mode >> 8);
            ++_coverage.strangerSetterCalls;
            VM.prank(caller);
            try emission.setPolicy(p) {
                ++ghostUnauthorizedSetterSuccesses;
            } catch (bytes memory reason) {
                _expectReason(reason, abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller));
            }
        } else if (kind >= 2) {
            _setInvalidPolicy(p, mode >> 8);
        } else {
            _setValidPolicy(p);
        }
    }

    /**
     * @notice Tokens are burned through the controller: 2 in 3 by the handler (which holds a
     * treasury stash and approved the controller), 1 in 3 by a contributor from what it earned
     * (approving just before). `mode >> 16 % 8`: 0 more than the balance, 1 (contributors) one
     * more than approved, both of which must revert with the token's error and record nothing;
     * otherwise up to {MAX_BURN}, which must burn exactly that and count it in the epoch.
     */
    function burn(uint256 amountSeed, uint256 mode) external {
        (amountSeed, mode) = (_mix(amountSeed, 12), _mix(mode, 13));
        bool asContributor = mode % 3 == 0;
        address burner = asContributor ? _contributorAt((mode >> 8) % CONTRIBUTORS) : address(this);
        uint256 balance = token.balanceOf(burner);
        uint256 kind = (mode >> 16) % 8;
        uint256 amount = _bound(amountSeed, 0, Math.min(balance, MAX_BURN));
        uint256 approval = amount;
        bytes memory expected;
        if (kind == 0) {
            amount = balance + 1 + (amountSeed % 1_000e18);
            approval = amount;
            expected = abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, burner, balance, amount);
        } else if (kind == 1 && asContributor && amount > 0) {
            approval = amount - 1;
            expected = abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(emission),
                approval,
                amount
            );
        }
        if (asContributor) {
            VM.prank(burner);
            token.approve(address(emission), approval);
        }
        uint256 current = emission.currentEpoch();
        IEmissionController.EpochState memory before = emission.epochState(current);
        bool openedBefore = _mints.touched[current];
        uint256 supplyBefore = token.totalSupply();
        if (asContributor) VM.prank(burner);
        try emission.burn(amount) {
            ++_coverage.burns;
            if (expected.length != 0) {
                _burnFailed("burn accepted");
                return;
            }
            _checkOpening(before, openedBefore);
            IEmissionController.EpochState memory afterwards = emission.epochState(current);
            if (
                token.totalSupply() != supplyBefore - amount ||
                token.balanceOf(burner) != balance - amount ||
                afterwards.burned != before.burned + amount
            ) _burnFailed("burn not recorded");
            _touch(current);
            _mints.burnedInEpoch[current] += amount;
            _mints.burned += amount;
        } catch (bytes memory reason) {
            ++_coverage.burnsRefused;
            if (keccak256(reason) != keccak256(expected)) _burnFailed(reason);
        }
    }

    /// @notice Someone other than the timelock calls a setter (or mints directly); it must revert
    /// with the authorization error, whatever the arguments.
    function strangerCallsSetter(uint256 callerSeed, uint256 which, uint256 arg) external {
        (callerSeed, which, arg) = (_mix(callerSeed, 14), _mix(which, 15), _mix(arg, 16));
        address caller = _stranger(callerSeed);
        (address target, bytes memory data, bytes memory expected) = _setterCall(caller, which % 20, arg);
        ++_coverage.strangerSetterCalls;
        VM.prank(caller);
        // One generic call for twenty setters; each is typed in {_setterCall}.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = target.call(data);
        if (ok) ++ghostUnauthorizedSetterSuccesses;
        else _expectReason(reason, expected);
    }

    /// @notice The guardian (1 in 3) or a stranger tries to pause.
    function pauseAs(uint256 callerSeed) external {
        callerSeed = _mix(callerSeed, 17);
        bool wasPaused = rewards.paused();
        if (callerSeed % 3 == 0) {
            VM.prank(GUARDIAN);
            try rewards.pause() {
                ++_coverage.guardianPauses;
                if (wasPaused) ++_violations.guardianPauseFailures;
            } catch (bytes memory reason) {
                bool expected =
                    wasPaused &&
                        keccak256(reason) == keccak256(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
                if (!expected) ++_violations.guardianPauseFailures;
            }
            return;
        }
        address caller = _stranger(callerSeed);
        if (caller == GUARDIAN) caller = deployer;
        VM.prank(caller);
        try rewards.pause() {
            ++_violations.unauthorizedPauses;
        } catch (bytes memory reason) {
            _expectReason(
                reason,
                abi.encodeWithSelector(IContributionRewards.ContributionRewardsUnauthorizedPauser.selector, caller)
            );
        }
    }

    // ------------------------------------------------------------------ views for the invariants

    function violations() external view returns (Violations memory) {
        return _violations;
    }

    function coverage() external view returns (Coverage memory) {
        return _coverage;
    }

    function touchedEpochCount() external view returns (uint256) {
        return _mints.touchedEpochs.length;
    }

    function touchedEpochAt(uint256 i) external view returns (uint256) {
        return _mints.touchedEpochs[i];
    }

    /// @notice What the handler saw minted, attested and burned in `epoch`.
    function epochLedger(uint256 epoch) external view returns (uint256 minted, uint256 demand, uint256 burned) {
        return (_mints.mintedInEpoch[epoch], _mints.demandInEpoch[epoch], _mints.burnedInEpoch[epoch]);
    }

    function mintLogCount() external view returns (uint256) {
        return _mints.log.length;
    }

    function mintLogAt(uint256 i) external view returns (MintLog memory) {
        return _mints.log[i];
    }

    function totalMinted() external view returns (uint256) {
        return _mints.total;
    }

    function totalBurned() external view returns (uint256) {
        return _mints.burned;
    }

    function rewardedIdCount() external view returns (uint256) {
        return _ids.rewarded.length;
    }

    function rewardedIdAt(uint256 i) external view returns (uint64) {
        return _ids.rewarded[i];
    }

    /// @notice The policy epoch `epoch` opened (or opens) with: the last one set before it.
    function policyAt(uint256 epoch) external view returns (IEmissionController.Policy memory) {
        for (uint256 i = _policies.length; i > 0; --i) {
            if (_policies[i - 1].fromEpoch <= epoch) return _policies[i - 1].policy;
        }
        return _policies[0].policy;
    }

    // ------------------------------------------------------------------ building and signing

    function _buildItems(uint256 seed, uint256 count, uint256 idMode) internal returns (uint256[] memory words) {
        words = new uint256[](count);
        uint16 maxQuality = rewards.maxQualityBps();
        for (uint256 i = 0; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint64 id = _ids.nextId;
            _ids.nextId += uint64(1 + ((r >> 56) % 3));
            address contributor = _contributorAt((r >> 8) % CONTRIBUTORS);
            words[i] = _pack(id, contributor, uint8((r >> 16) % 3), uint16(1 + ((r >> 40) % maxQuality)));
        }
        // 1 batch in 6 carries one malformed item.
        if ((seed >> 128) % 6 == 0) {
            uint256 at = (seed >> 136) % count;
            words[at] = _corrupt(words[at], seed >> 144, maxQuality);
        }
        if (idMode == 0 && _ids.rewarded.length > 0) {
            words[0] = _withField(words[0], 192, 64, _ids.rewarded[seed % _ids.rewarded.length]);
        } else if (idMode == 1 && _ids.deferred.length > 0) {
            words[0] = _withField(words[0], 192, 64, _ids.deferred[seed % _ids.deferred.length]);
        } else if (idMode == 2 && count > 1) {
            words[1] = _withField(words[1], 192, 64, words[0] >> 192);
        } else if (idMode == 3 && count > 1) {
            (words[0], words[1]) = (words[1], words[0]);
        }
    }

    /**
     * @dev One malformed item, `r % 6`: the zero contributor, the disabled category 3, an unknown
     * category, quality zero, quality above the maximum, or the pad byte set (non-canonical).
     */
    function _corrupt(uint256 word, uint256 r, uint16 maxQuality) internal pure returns (uint256) {
        uint256 kind = r % 6;
        if (kind == 0) return word & ~uint256(type(uint160).max);
        if (kind == 1) return _withField(word, 184, 8, 3);
        if (kind == 2) return _withField(word, 184, 8, 4 + ((r >> 8) % 252));
        if (kind == 3) return _withField(word, 168, 16, 0);
        if (kind == 4) return _withField(word, 168, 16, maxQuality + 1 + ((r >> 8) % 1_000));
        return word | (1 << 160);
    }

    /**
     * @dev Who signs. `mode % 20`: 0-11 `threshold` current keys; 12-13 every current key; then
     * one case each (30% together) of: one too few; one too few plus a key outside the set (a
     * rotated-out one when there is one); a current key twice; `threshold` current keys in
     * descending order; `threshold` current keys for another signer-set version; `threshold`
     * current keys over other content (another manifest or deadline).
     */
    function _planSigning(uint256 mode, uint256 seed) internal view returns (Signing memory plan) {
        mode %= 20;
        // Cases 7-13 below: every key, then the six unauthorized plans.
        mode =
            mode < 12
                ? 0
                : mode < 14
                    ? 7
                    : mode - 6;
        plan.version = _signers.version;
        uint256 n = _signers.keys.length;
        uint256 k = _signers.threshold;
        if (mode == 7) k = n;
        else if (mode == 8 || mode == 9 || mode == 10) k = k - 1;
        uint256 extraKeys = mode == 9 || mode == 10 ? 1 : 0;
        plan.keys = new uint256[](k + extraKeys);
        uint256 start = seed % n;
        for (uint256 i = 0; i < k; ++i) plan.keys[i] = _signers.keys[(start + i) % n];
        if (mode == 9) plan.keys[k] = _outsiderKey(seed >> 8);
        if (mode == 10) plan.keys[k] = k > 0 ? plan.keys[0] : _signers.keys[start];
        _sortByAddress(plan.keys);
        if (mode == 11) _reverse(plan.keys);
        if (mode == 12) plan.version = _signers.version > 1 ? _signers.version - 1 : _signers.version + 1;
        plan.tampered = mode == 13;
    }

    /// @dev A pool key not in the current set, preferring one that was a signer before.
    function _outsiderKey(uint256 seed) internal view returns (uint256 fallbackKey) {
        fallbackKey = type(uint256).max;
        for (uint256 j = 0; j < KEY_POOL; ++j) {
            uint256 key = (seed + j) % KEY_POOL;
            if (_isCurrent(key)) continue;
            if (_signers.everSigner[key]) return key;
            if (fallbackKey == type(uint256).max) fallbackKey = key;
        }
    }

    function _sign(bytes32 digest, uint256[] memory keys) internal pure returns (bytes[] memory signatures) {
        signatures = new bytes[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(KEY_BASE + keys[i], digest);
            signatures[i] = abi.encodePacked(r, s, v);
        }
    }

    /// @dev Signed by at least `threshold` distinct current keys, strictly ascending, for the
    /// current version and for exactly this content.
    function _isAuthorized(Signing memory plan) internal view returns (bool) {
        if (plan.tampered || plan.version != _signers.version || plan.keys.length < _signers.threshold) return false;
        address previous;
        for (uint256 i = 0; i < plan.keys.length; ++i) {
            if (!_isCurrent(plan.keys[i])) return false;
            address signer = _signers.keyAddress[plan.keys[i]];
            if (signer <= previous) return false;
            previous = signer;
        }
        return true;
    }

    // ------------------------------------------------------------------ submitting and checking

    function _submitBatch(uint256[] memory words, bytes32 manifest, uint256 deadline, Signing memory plan) internal {
        _remember(words, manifest, deadline, plan);
        Call memory c = _prepare(words, deadline, plan, false);
        IContributionRewards.RewardBatch memory batch = _batch(words, manifest, plan.version, deadline);
        c.digest = _hashBatch(batch);
        c.replay = _ids.fullyDeferredDigest[c.digest];
        bytes32 signed =
            plan.tampered
                ? _hashBatch(_batch(words, manifest ^ bytes32(uint256(1)), plan.version, deadline))
                : c.digest;
        bytes[] memory signatures = _sign(signed, plan.keys);
        try rewards.rewardBatch(batch, signatures) returns (uint256 rewarded, uint256 minted) {
            ++_coverage.successfulBatches;
            if (rewarded == 0) {
                _ids.fullyDeferredDigest[c.digest] = true;
                ++_coverage.fullyDeferredBatches;
            }
            _afterSuccess(c, rewarded, minted);
        } catch (bytes memory reason) {
            ++_coverage.failedBatches;
            _afterFailure(c, reason);
        }
    }

    /// @dev Classifies a submission from the state before it, and prices and settles it in the
    /// budget model when it is well formed.
    function _prepare(
        uint256[] memory words,
        uint256 deadline,
        Signing memory plan,
        bool single
    ) internal view returns (Call memory c) {
        uint256 n = words.length;
        (c.words, c.single) = (words, single);
        c.items = new Item[](n);
        c.rewardedBefore = new bool[](n);
        c.prices = new uint256[](n);
        c.fits = new bool[](n);
        c.wellFormed = true;
        uint256 categories = rewards.categoryCount();
        uint16 maxQuality = rewards.maxQualityBps();
        for (uint256 i = 0; i < n; ++i) {
            uint256 word = words[i];
            Item memory item = Item(
                uint64(word >> 192),
                address(uint160(word)),
                uint8(word >> 184),
                uint16(word >> 168)
            );
            c.items[i] = item;
            c.rewardedBefore[i] = _isRewarded(item.id);
            if (c.rewardedBefore[i]) c.containsRewarded = true;
            bool valid =
                (word >> 160) & 0xff == 0 &&
                    item.contributor != address(0) &&
                    item.quality != 0 &&
                    item.quality <= maxQuality &&
                    item.category < categories &&
                    rewards.categoryConfig(item.category).enabled &&
                    (i == 0 || item.id > c.items[i - 1].id);
            if (!valid) c.wellFormed = false;
        }
        for (uint256 j = 0; j < CONTRIBUTORS; ++j) c.balancesBefore[j] = token.balanceOf(_contributorAt(j));
        c.supplyBefore = token.totalSupply();
        c.epoch = emission.currentEpoch();
        c.opening = emission.epochState(c.epoch);
        c.openedBefore = _mints.touched[c.epoch];
        c.authorized = _isAuthorized(plan);
        c.fresh = block.timestamp <= deadline;
        c.paused = rewards.paused();
        if (c.wellFormed) _settleInModel(c);
    }

    /**
     * @dev Prices every item with `quote` (checked against base reward x quality x the scale of
     * `mintAllowance`) and settles the items not yet rewarded in order, as the contract must:
     * an item fits if its price is within its category's reserve left plus the shared pool,
     * and draws on the reserve first. The pools come from `available`, which bounds the
     * epoch's limit by the token's room under its cap.
     */
    function _settleInModel(Call memory c) internal view {
        (, uint256 limit, uint256 minted, uint256 scale) = emission.mintAllowance();
        uint256 shared = rewards.available(UNRESERVED_CATEGORY);
        uint256[LIVE_CATEGORIES] memory left;
        for (uint256 k = 0; k < LIVE_CATEGORIES; ++k) left[k] = rewards.available(uint8(k)) - shared;
        c.availableToFirst = left[c.items[0].category] + shared;
        uint256 room = token.cap() - token.totalSupply();
        if (minted + room < limit) c.bound = Bound.TokenCap;
        else if (limit < c.opening.budget) c.bound = Bound.AnnualCap;

        for (uint256 i = 0; i < c.items.length; ++i) {
            Item memory item = c.items[i];
            uint256 price = rewards.quote(item.category, item.quality);
            uint256 base = rewards.categoryConfig(item.category).baseReward;
            if (price != (base * item.quality * scale) / (BPS * WAD)) c.quoteMismatch = true;
            c.prices[i] = price;
            c.demand += price;
            if (c.rewardedBefore[i]) continue;
            uint256 reserveLeft = left[item.category];
            if (price <= reserveLeft) {
                left[item.category] = reserveLeft - price;
            } else if (price - reserveLeft <= shared) {
                shared -= price - reserveLeft;
                left[item.category] = 0;
            } else {
                continue;
            }
            c.fits[i] = true;
            c.expectedMinted += price;
            c.expectedGain[uint160(item.contributor) - CONTRIBUTOR_BASE] += price;
        }
    }

    /// @dev Checks a successful call against the classification and the model, and records what it minted.
    function _afterSuccess(Call memory c, uint256 rewarded, uint256 minted) internal {
        if (c.quoteMismatch) ++_violations.quoteMismatches;
        if (!c.authorized) ++ghostUnauthorizedSuccesses;
        if (!c.wellFormed || !c.fresh || c.paused) ++_violations.invalidAccepted;
        if (c.containsRewarded) ++_violations.rewardedIdAccepted;
        if (c.replay && rewarded == 0) ++_violations.replayAccepted;

        uint256 flipped;
        uint256 deferred;
        for (uint256 i = 0; i < c.items.length; ++i) {
            Item memory item = c.items[i];
            bool rewardedNow = _isRewarded(item.id);
            if (c.rewardedBefore[i]) {
                if (!rewardedNow) ++_violations.rewardCleared;
                continue;
            }
            // Deferred items (for budget, annual cap or token cap) must stay unrewarded.
            if (rewardedNow != c.fits[i]) ++_violations.deferralMismatches;
            if (!rewardedNow) {
                ++deferred;
                _ids.deferred.push(item.id);
                continue;
            }
            if (++_ids.rewardCount[item.id] > 1) ++_violations.doubleRewards;
            _ids.rewarded.push(item.id);
            ++flipped;
        }
        _coverage.rewardedItems += flipped;
        _coverage.deferredItems += deferred;
        if (deferred > 0) _countDeferral(c.bound);

        uint256 delta = token.totalSupply() - c.supplyBefore;
        if (flipped != rewarded || minted != c.expectedMinted || delta != minted) ++_violations.mintMismatches;
        for (uint256 j = 0; j < CONTRIBUTORS; ++j) {
            uint256 gain = token.balanceOf(_contributorAt(j)) - c.balancesBefore[j];
            if (gain != c.expectedGain[j]) ++_violations.mintMismatches;
        }
        _checkOpening(c.opening, c.openedBefore);

        _touch(c.epoch);
        _mints.mintedInEpoch[c.epoch] += delta;
        _mints.demandInEpoch[c.epoch] += c.demand;
        _mints.total += delta;
        if (delta > 0) _mints.log.push(MintLog(block.timestamp, c.epoch, delta));
    }

    /**
     * @dev A rejection is expected when something forbade the call. Otherwise only a single
     * contribution that does not fit may be refused, with `EmissionControllerBudgetExceeded`
     * naming its price and exactly what `available` reported; a batch never is (it defers).
     */
    function _afterFailure(Call memory c, bytes memory reason) internal {
        if (c.quoteMismatch) ++_violations.quoteMismatches;
        bool replayRefused = c.replay && c.wellFormed && _modelRewardsNothing(c);
        if (replayRefused) ++_coverage.replaysRefused;
        bool forbidden = !c.authorized || !c.wellFormed || c.containsRewarded || !c.fresh || c.paused;
        if (forbidden || replayRefused) return;
        if (c.single && !c.fits[0]) {
            bytes memory expected = abi.encodeWithSelector(
                IEmissionController.EmissionControllerBudgetExceeded.selector,
                c.prices[0],
                c.availableToFirst
            );
            if (keccak256(reason) == keccak256(expected)) {
                _countDeferral(c.bound);
                return;
            }
        }
        ++_violations.unexpectedRejections;
        _violations.lastUnexpectedReason = reason;
    }

    function _modelRewardsNothing(Call memory c) internal pure returns (bool) {
        for (uint256 i = 0; i < c.fits.length; ++i) if (c.fits[i]) return false;
        return true;
    }

    /**
     * @dev An epoch a successful call opened must hold exactly the figures its view reported
     * before the call. Every call that opens an epoch (a mint, a burn, a policy change) goes
     * through the handler and touches the epoch, so an epoch not yet touched was not opened
     * (`epochState(current).opened` cannot tell: it reads true for the projection too).
     */
    function _checkOpening(IEmissionController.EpochState memory promised, bool openedBefore) internal {
        if (openedBefore) return;
        IEmissionController.EpochState memory opened = emission.epochState(promised.epoch);
        ++_coverage.openingsChecked;
        if (!_sameOpening(opened, promised)) ++_violations.openingMismatches;
    }

    /// @dev The figures an epoch opens with (not what happens in it).
    function _sameOpening(
        IEmissionController.EpochState memory a,
        IEmissionController.EpochState memory b
    ) internal pure returns (bool) {
        return
            a.epoch == b.epoch &&
            a.start == b.start &&
            a.duration == b.duration &&
            a.base == b.base &&
            a.budget == b.budget &&
            a.limit == b.limit &&
            a.annualCap == b.annualCap &&
            a.mintedInWindowBefore == b.mintedInWindowBefore &&
            a.rewardScale == b.rewardScale;
    }

    function _countDeferral(Bound bound) internal {
        if (bound == Bound.TokenCap) ++_coverage.deferralsAtTokenCap;
        else if (bound == Bound.AnnualCap) ++_coverage.deferralsAtAnnualCap;
        else ++_coverage.deferralsAtBudget;
    }

    function _touch(uint256 epoch) internal {
        if (_mints.touched[epoch]) return;
        _mints.touched[epoch] = true;
        _mints.touchedEpochs.push(epoch);
    }

    function _ownerSetterFailed(bytes memory reason) internal {
        ++_violations.ownerSetterFailures;
        _violations.lastOwnerSetterFailure = reason;
    }

    function _burnFailed(bytes memory reason) internal {
        ++_violations.burnMismatches;
        _violations.lastBurnFailure = reason;
    }

    function _expectReason(bytes memory reason, bytes memory expected) internal {
        if (keccak256(reason) == keccak256(expected)) return;
        ++_violations.setterWrongReason;
        _violations.lastWrongSetterReason = reason;
    }

    function _maybeUnpause(uint256 extra) internal {
        if (!rewards.paused() || (extra >> 8) % 4 == 0) return;
        VM.prank(TIMELOCK);
        try rewards.unpause() {
            ++_coverage.unpauses;
        } catch (bytes memory reason) {
            _ownerSetterFailed(reason);
        }
    }

    /// @dev 1 in 16 expired, 1 in 16 exactly now (still valid), otherwise an hour ahead.
    function _deadline(uint256 extra) internal view returns (uint256) {
        uint256 v = extra % 16;
        if (v == 0) return block.timestamp - 1;
        if (v == 1) return block.timestamp;
        return block.timestamp + 1 hours;
    }

    function _remember(uint256[] memory words, bytes32 manifest, uint256 deadline, Signing memory plan) internal {
        _last.words = words;
        _last.manifest = manifest;
        _last.deadline = deadline;
        _last.plan = plan;
        _last.exists = true;
    }

    // ------------------------------------------------------------------ policies

    /// @dev The timelock sets `p`: from the next epoch on, the current epoch staying as it was.
    function _setValidPolicy(IEmissionController.Policy memory p) internal {
        uint256 current = emission.currentEpoch();
        IEmissionController.EpochState memory before = emission.epochState(current);
        bool openedBefore = _mints.touched[current];
        VM.prank(TIMELOCK);
        try emission.setPolicy(p) {
            ++_coverage.policyChanges;
            _policies.push(PolicyChange({fromEpoch: current + 1, policy: p}));
            _touch(current);
            _checkOpening(before, openedBefore);
            IEmissionController.EpochState memory afterwards = emission.epochState(current);
            if (
                emission.currentEpoch() != current ||
                !_sameOpening(afterwards, before) ||
                afterwards.minted != before.minted ||
                afterwards.demand != before.demand ||
                afterwards.burned != before.burned ||
                keccak256(abi.encode(emission.policy())) != keccak256(abi.encode(p)) ||
                emission.projectedNextEpoch().duration != p.epochLength
            ) {
                _ownerSetterFailed("policy not applied from the next epoch");
            }
        } catch (bytes memory reason) {
            _ownerSetterFailed(reason);
        }
    }

    /// @dev The timelock sets `p` with one parameter broken: it must revert with that
    /// parameter's error and leave the policy as it was.
    function _setInvalidPolicy(IEmissionController.Policy memory p, uint256 r) internal {
        bytes memory expected;
        (p, expected) = _breakPolicy(p, r);
        bytes32 policyBefore = keccak256(abi.encode(emission.policy()));
        VM.prank(TIMELOCK);
        try emission.setPolicy(p) {
            ++_violations.invalidPolicyAccepted;
        } catch (bytes memory reason) {
            ++_coverage.invalidPoliciesRefused;
            _expectReason(reason, expected);
            if (keccak256(abi.encode(emission.policy())) != policyBefore) ++_violations.invalidPolicyAccepted;
        }
    }

    /**
     * @dev A valid policy: epochs of 1 day (1 in 4), 1 hour to 2 days, 7 days, or 1 hour to 90
     * days; an annual cap of 0.1%-0.6% of supply (3 in 4, to keep it binding) or 0-10%; any
     * step and minimum scale; all burns recycled (1 in 2) or any share; a floor of 1 to 9,000
     * tokens and a maximum either large or close above it.
     */
    function _randomPolicy(uint256 seed) internal pure returns (IEmissionController.Policy memory p) {
        uint256 lengthKind = seed % 4;
        if (lengthKind == 0) p.epochLength = 1 days;
        else if (lengthKind == 1) p.epochLength = uint48(_bound(seed >> 8, 1 hours, 2 days));
        else if (lengthKind == 2) p.epochLength = 7 days;
        else p.epochLength = uint48(_bound(seed >> 8, 1 hours, 90 days));
        p.maxBudgetStepBps = uint16((seed >> 40) % 5_001);
        p.annualInflationBps = uint16((seed >> 56) % 4 == 0 ? (seed >> 60) % 1_001 : 10 + ((seed >> 60) % 51));
        p.recycleBps = uint16((seed >> 80) % 2 == 0 ? 10_000 : (seed >> 84) % 10_001);
        p.maxScaleStepBps = uint16((seed >> 96) % 5_001);
        p.minRewardScale = uint64(1e16 + ((seed >> 112) % (1e18 - 1e16 + 1)));
        p.budgetFloor = uint128((1 + ((seed >> 176) % 9)) * 10 ** ((seed >> 184) % 4) * 1e18);
        p.budgetMax = (seed >> 216) % 2 == 0 ? 1e24 : p.budgetFloor + uint128((seed >> 220) % 20_000e18);
    }

    /// @dev `p` with one parameter out of range (`r % 9` picks which), and the error it must revert with.
    function _breakPolicy(
        IEmissionController.Policy memory p,
        uint256 r
    ) internal view returns (IEmissionController.Policy memory, bytes memory expected) {
        uint256 kind = r % 9;
        uint256 v = r >> 8;
        string memory parameter;
        if (kind == 0) {
            (p.epochLength, parameter) = (uint48(v % 1 hours), "epochLength");
        } else if (kind == 1) {
            (p.epochLength, parameter) = (uint48(90 days + 1 + (v % 365 days)), "epochLength");
        } else if (kind == 2) {
            (p.maxBudgetStepBps, parameter) = (uint16(5_001 + (v % 60_000)), "maxBudgetStepBps");
        } else if (kind == 3) {
            p.annualInflationBps = uint16(1_001 + (v % 60_000));
            expected = abi.encodeWithSelector(
                IEmissionController.EmissionControllerAnnualInflationTooHigh.selector,
                p.annualInflationBps,
                emission.MAX_ANNUAL_INFLATION_BPS()
            );
            return (p, expected);
        } else if (kind == 4) {
            (p.recycleBps, parameter) = (uint16(10_001 + (v % 50_000)), "recycleBps");
        } else if (kind == 5) {
            (p.maxScaleStepBps, parameter) = (uint16(5_001 + (v % 60_000)), "maxScaleStepBps");
        } else if (kind == 6) {
            (p.minRewardScale, parameter) = (uint64(v % 1e16), "minRewardScale");
        } else if (kind == 7) {
            (p.minRewardScale, parameter) = (uint64(1e18 + 1 + (v % 1e18)), "minRewardScale");
        } else {
            if (v % 2 == 0) p.budgetFloor = 0;
            else p.budgetMax = p.budgetFloor - 1;
            parameter = "budgetFloor";
        }
        expected = abi.encodeWithSelector(IEmissionController.EmissionControllerInvalidPolicy.selector, parameter);
        return (p, expected);
    }

    // ------------------------------------------------------------------ setters by strangers

    /// @dev A caller that is not the timelock: the guardian, the deployer, a contributor, a
    /// rotated-out signer, or any address.
    function _stranger(uint256 seed) internal view returns (address caller) {
        uint256 v = seed % 5;
        if (v == 0) caller = GUARDIAN;
        else if (v == 1) caller = deployer;
        else if (v == 2) caller = _contributorAt((seed >> 8) % CONTRIBUTORS);
        else if (v == 3) caller = _signers.keyAddress[(seed >> 8) % KEY_POOL];
        else caller = address(uint160(uint256(keccak256(abi.encode(seed)))));
        if (caller == TIMELOCK) caller = address(0xBAD);
    }

    /// @dev A call that would succeed for the timelock (arguments valid), and the error a
    /// stranger must get.
    function _setterCall(
        address caller,
        uint256 which,
        uint256 arg
    ) internal view returns (address target, bytes memory data, bytes memory expected) {
        expected = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller);
        target = address(rewards);
        if (which == 0) {
            address[] memory signers = new address[](3);
            for (uint256 i = 0; i < 3; ++i) signers[i] = _signers.keyAddress[(arg + i) % KEY_POOL];
            data = abi.encodeCall(IContributionRewards.setSigners, (signers, 2));
        } else if (which == 1) {
            data = abi.encodeCall(IContributionRewards.addCategory, ("stranger", 100e18, 0));
        } else if (which == 2) {
            uint256 base = rewards.categoryConfig(uint8(arg % 3)).baseReward;
            data = abi.encodeCall(IContributionRewards.setBaseReward, (uint8(arg % 3), base + 1));
        } else if (which == 3) {
            data = abi.encodeCall(IContributionRewards.setCategoryEnabled, (uint8(arg % 4), arg % 2 == 0));
        } else if (which == 4) {
            data = abi.encodeCall(IContributionRewards.setCategoryReserve, (uint8(arg % 3), uint16(arg % 500)));
        } else if (which == 5) {
            data = abi.encodeCall(IContributionRewards.setMaxQuality, (uint16(1 + (arg % 50_000))));
        } else if (which == 6) {
            data = abi.encodeCall(IContributionRewards.setGuardian, (caller));
        } else if (which == 7) {
            data = abi.encodeCall(IContributionRewards.unpause, ());
        } else if (which == 8) {
            data = abi.encodeCall(Ownable.transferOwnership, (caller));
        } else if (which == 9) {
            data = abi.encodeCall(Ownable.renounceOwnership, ());
        } else if (which == 10) {
            // Ownable2Step: nobody is pending, so nobody can accept.
            data = abi.encodeWithSignature("acceptOwnership()");
        } else {
            (target, data, expected) = _otherSetterCall(caller, which, arg);
        }
    }

    function _otherSetterCall(
        address caller,
        uint256 which,
        uint256 arg
    ) internal view returns (address target, bytes memory data, bytes memory expected) {
        expected = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller);
        target = address(emission);
        if (which == 11) {
            data = abi.encodeCall(IEmissionController.setPolicy, (_randomPolicy(arg)));
        } else if (which == 12) {
            (IEmissionController.Policy memory invalid, ) = _breakPolicy(_randomPolicy(arg), arg >> 128);
            data = abi.encodeCall(IEmissionController.setPolicy, (invalid));
        } else if (which == 13) {
            data = abi.encodeCall(Ownable.transferOwnership, (caller));
        } else if (which == 14) {
            data = abi.encodeCall(Ownable.renounceOwnership, ());
        } else if (which == 15) {
            data = abi.encodeCall(IEmissionController.recordMint, (emission.currentEpoch(), 1, 1));
            expected = abi.encodeWithSelector(
                IEmissionController.EmissionControllerUnauthorizedMinter.selector,
                caller
            );
        } else {
            target = address(token);
            bytes32 role = which == 16 || which == 17 ? bytes32(0) : token.MINTER_ROLE();
            expected = abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role);
            if (which == 16) {
                data = abi.encodeCall(IAccessControl.grantRole, (token.MINTER_ROLE(), caller));
            } else if (which == 17) {
                data = abi.encodeCall(IAccessControl.revokeRole, (token.MINTER_ROLE(), address(rewards)));
            } else if (which == 18) {
                data = abi.encodeCall(ICreditToken.mint, (caller, 1 + (arg % 1e24)));
            } else {
                address[] memory to = new address[](1);
                uint256[] memory amounts = new uint256[](1);
                (to[0], amounts[0]) = (caller, 1 + (arg % 1e24));
                data = abi.encodeCall(ICreditToken.mintBatch, (to, amounts));
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * @dev Spreads a fuzzer input uniformly. The fuzzer favours small and repeated values (its
     * dictionary), which would otherwise pin the modes above to their first cases and keep
     * every warp near its minimum.
     */
    function _mix(uint256 x, uint256 salt) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(x, salt)));
    }

    function _batch(
        uint256[] memory words,
        bytes32 manifest,
        uint64 signerSetVersion,
        uint256 deadline
    ) internal pure returns (IContributionRewards.RewardBatch memory batch) {
        PackedContribution[] memory items = new PackedContribution[](words.length);
        for (uint256 i = 0; i < words.length; ++i) items[i] = PackedContribution.wrap(words[i]);
        batch = IContributionRewards.RewardBatch(items, manifest, signerSetVersion, deadline);
    }

    /// @dev The batch digest, or a fixed stand-in when the view refuses the batch (a non-canonical word).
    function _hashBatch(IContributionRewards.RewardBatch memory batch) internal view returns (bytes32) {
        try rewards.hashRewardBatch(batch) returns (bytes32 digest) {
            return digest;
        } catch {
            return keccak256("unhashable batch");
        }
    }

    function _isRewarded(uint64 id) internal view returns (bool) {
        return rewards.isRewarded(id);
    }

    function _isCurrent(uint256 key) internal view returns (bool) {
        for (uint256 i = 0; i < _signers.keys.length; ++i) if (_signers.keys[i] == key) return true;
        return false;
    }

    function _pickKeys(uint256 seed, uint256 size) internal pure returns (uint256[] memory picked) {
        uint256[KEY_POOL] memory order;
        for (uint256 i = 0; i < KEY_POOL; ++i) order[i] = i;
        picked = new uint256[](size);
        for (uint256 i = 0; i < size; ++i) {
            uint256 j = i + (uint256(keccak256(abi.encode(seed, i))) % (KEY_POOL - i));
            (order[i], order[j]) = (order[j], order[i]);
            picked[i] = order[i];
        }
    }

    function _sortByAddress(uint256[] memory keys) internal view {
        for (uint256 i = 1; i < keys.length; ++i) {
            uint256 key = keys[i];
            uint256 j = i;
            while (j > 0 && _signers.keyAddress[keys[j - 1]] > _signers.keyAddress[key]) {
                keys[j] = keys[j - 1];
                --j;
            }
            keys[j] = key;
        }
    }

    function _reverse(uint256[] memory keys) internal pure {
        for (uint256 i = 0; i < keys.length / 2; ++i) {
            (keys[i], keys[keys.length - 1 - i]) = (keys[keys.length - 1 - i], keys[i]);
        }
    }

    function _contributorAt(uint256 i) internal pure returns (address) {
        return address(CONTRIBUTOR_BASE + uint160(i));
    }

    function _pack(uint64 id, address contributor, uint8 category, uint16 quality) internal pure returns (uint256) {
        return
            (uint256(id) << 192) |
            (uint256(category) << 184) |
            (uint256(quality) << 168) |
            uint256(uint160(contributor));
    }

    /// @dev `word` with the `bits`-wide field at `shift` replaced by `value`.
    function _withField(uint256 word, uint256 shift, uint256 bits, uint256 value) internal pure returns (uint256) {
        uint256 mask = ((1 << bits) - 1) << shift;
        return (word & ~mask) | ((value << shift) & mask);
    }
}

/**
 * @title ContributionRewardsInvariantTest
 * @notice Invariants 1-5 of DESIGN.md on the deployed trio (token, emission controller,
 * rewards), driven by {ContributionRewardsHandler}: the timelock owns every setter, the test
 * contract deploys the token, wires the minter and renounces its admin role.
 *
 * The figures are chosen so that each bound on minting binds within a run (measured over a
 * campaign: the budget in nearly every run, the token's cap in about 60%, the annual cap in
 * about 30%, all three in about 15-20%):
 * - the token's cap equals genesis, so nothing mints until burns make room, and past the room
 *   items are deferred;
 * - the annual cap is 0.3% of supply (about 3,000 tokens), so with 1-day epochs a plain budget
 *   (at most the cap's daily share, about 8 tokens, whatever the floor or the initial budget
 *   ask) is far below a contribution's reward (hundreds to thousands of tokens): the budget
 *   binds and the reward scale falls, down to 0.5;
 * - the handler holds 300,000 tokens and burns up to 10,000 at a time through the controller
 *   (contributors burn what they earned too); every burned token is added to the next epoch's
 *   budget, which then outgrows what is left of the annual cap.
 * Random policies from the timelock (about two a run) then change every parameter, the epoch
 * length included.
 * @custom:invariant totalSupply() <= cap() (DESIGN 1), and supply = genesis + minted - burned.
 * @custom:invariant Per epoch: minted <= limit <= budget, limit <= annual cap - minted in the
 * window before, figures within the policy in force, records equal to what the handler saw.
 * @custom:invariant Minted over any 365 days <= the annual cap in force at the mint (DESIGN 2).
 * @custom:invariant No contribution id is rewarded twice; a call with a rewarded id reverts (DESIGN 3).
 * @custom:invariant Nothing mints without >= threshold distinct current signers over the exact content (DESIGN 4).
 * @custom:invariant Only the timelock sets; the guardian only pauses; strangers cannot pause (DESIGN 5).
 * @custom:invariant A batch nothing forbids is accepted, rewards exactly the items that fit and
 * mints exactly their quoted rewards; past the budget, the annual cap or the token cap it defers.
 * @custom:invariant An epoch opens with the figures its views reported; burns are recorded.
 */
contract ContributionRewardsInvariantTest is CheatsBase {
    error SupplyAboveCap(uint256 supply, uint256 cap);
    error SupplyMismatch(uint256 supply, uint256 expected);
    error EpochRecordMismatch(uint256 epoch, string field, uint256 recorded, uint256 seen);
    error EpochOutOfBounds(uint256 epoch, string field, uint256 value, uint256 bound);
    error TrailingYearAboveAnnualCap(uint256 timestamp, uint256 mintedInWindow, uint256 annualCap);
    error RewardedMoreThanOnce(uint256 doubleRewards, uint256 rewardedIdAccepted, uint256 replays, uint256 cleared);
    error RewardForgotten(uint64 id);
    error UnauthorizedMint(uint256 unauthorizedSuccesses, uint256 invalidAccepted);
    error UnexpectedMinter(address account);
    error UnauthorizedSetter(uint256 setterSuccesses, uint256 strangerPauses, uint256 wrongReasons, bytes lastReason);
    error GovernanceBroken(uint256 ownerFailures, uint256 guardianFailures, uint256 invalidSetsAccepted, bytes reason);
    error OwnershipMoved(address rewardsOwner, address emissionOwner, bool timelockIsAdmin, bool deployerIsAdmin);
    error ValidBatchRejected(uint256 count, bytes reason);
    error MintMismatch(uint256 mints, uint256 deferrals, uint256 quotes);
    error OpeningOrBurnMismatch(uint256 openings, uint256 burns, bytes lastBurnFailure);

    uint256 internal constant GENESIS = 1_000_000e18;
    /// @dev The token's cap: genesis, so that only burns make room.
    uint256 internal constant CAP = GENESIS;
    /// @dev Moved from the treasury to the handler, which burns it through the controller.
    uint256 internal constant STASH = 300_000e18;
    /// @dev Asked for epoch 0; the inflation ceiling (about 8 tokens a day) clamps it.
    uint256 internal constant INITIAL_BUDGET = 2_000e18;
    uint256 internal constant THRESHOLD = 3;
    uint256 internal constant SIGNERS = 5;

    CreditToken internal token;
    EmissionController internal emission;
    ContributionRewards internal rewards;
    ContributionRewardsHandler internal handler;

    function setUp() public {
        token = new CreditToken(
            "Contribution Credit",
            "CRED",
            CAP,
            address(this),
            TIMELOCK,
            GENESIS,
            new address[](0),
            new uint256[](0)
        );
        emission = new EmissionController(address(token), TIMELOCK, _deployedPolicy(), INITIAL_BUDGET);

        uint256[] memory keys = new uint256[](SIGNERS);
        address[] memory signers = new address[](SIGNERS);
        for (uint256 i = 0; i < SIGNERS; ++i) {
            keys[i] = i;
            signers[i] = VM.addr(KEY_BASE + i);
        }
        IContributionRewards.CategoryInit[] memory categories = new IContributionRewards.CategoryInit[](4);
        categories[0] = IContributionRewards.CategoryInit("tasks", 1_000e18, 2_000);
        categories[1] = IContributionRewards.CategoryInit("annotations", 500e18, 1_000);
        categories[UNRESERVED_CATEGORY] = IContributionRewards.CategoryInit("bug-fixes", 2_000e18, 0);
        categories[3] = IContributionRewards.CategoryInit("events", 300e18, 500);
        rewards = new ContributionRewards(
            token,
            emission,
            TIMELOCK,
            GUARDIAN,
            1e18,
            10_000e18,
            20_000,
            signers,
            THRESHOLD,
            categories
        );
        VM.prank(TIMELOCK);
        rewards.setCategoryEnabled(3, false);

        token.grantRole(token.MINTER_ROLE(), address(rewards));
        token.grantRole(token.DEFAULT_ADMIN_ROLE(), TIMELOCK);
        token.renounceRole(token.DEFAULT_ADMIN_ROLE(), address(this));

        handler = new ContributionRewardsHandler(token, emission, rewards, address(this), keys, THRESHOLD);
        VM.prank(TIMELOCK);
        token.transfer(address(handler), STASH);
    }

    /// @dev 1-day epochs, an annual cap of 0.3% of supply, every burn recycled, the scale down to 0.5 at most.
    function _deployedPolicy() internal pure returns (IEmissionController.Policy memory) {
        return
            IEmissionController.Policy({
                epochLength: 1 days,
                maxBudgetStepBps: 2_500,
                annualInflationBps: 30,
                recycleBps: 10_000,
                maxScaleStepBps: 2_500,
                minRewardScale: 5e17,
                budgetFloor: 1e18,
                budgetMax: 1e24
            });
    }

    /// @dev Foundry-style target selection: only the handler is called by the fuzzer.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /**
     * @dev Every property of the suite, checked after every call of one campaign. (Each
     * `invariant_` function gets a campaign of its own, so one function per property would
     * multiply the runtime by their number for no more calls per property.)
     */
    function invariant_creditSystem() public view {
        _checkSupply();
        _checkEpochs();
        _checkTrailingYear();
        _checkRewardedAtMostOnce();
        _checkOnlyCurrentQuorumMints();
        _checkOnlyTimelockSetsAndGuardianOnlyPauses();
        _checkValidBatchesAcceptedAndMintQuotedAmounts();
        _checkEpochsOpenAsViewedAndBurnsRecorded();
    }

    function _checkSupply() internal view {
        uint256 supply = token.totalSupply();
        if (supply > token.cap()) revert SupplyAboveCap(supply, token.cap());
        uint256 expected = GENESIS + handler.totalMinted() - handler.totalBurned();
        if (supply != expected) revert SupplyMismatch(supply, expected);
    }

    function _checkEpochs() internal view {
        uint256 count = handler.touchedEpochCount();
        for (uint256 i = 0; i < count; ++i) _checkEpoch(handler.touchedEpochAt(i));
    }

    /// @dev For every logged mint at time t in epoch e: the mints logged in (t - 365 days, t]
    /// <= the annual cap of epoch e.
    function _checkTrailingYear() internal view {
        uint256 count = handler.mintLogCount();
        for (uint256 i = 0; i < count; ++i) {
            ContributionRewardsHandler.MintLog memory mint = handler.mintLogAt(i);
            uint256 inWindow;
            for (uint256 j = 0; j < count; ++j) {
                ContributionRewardsHandler.MintLog memory other = handler.mintLogAt(j);
                if (other.timestamp > mint.timestamp) break;
                if (other.timestamp + 365 days > mint.timestamp) inWindow += other.amount;
            }
            uint256 annualCap = emission.epochState(mint.epoch).annualCap;
            if (inWindow > annualCap) revert TrailingYearAboveAnnualCap(mint.timestamp, inWindow, annualCap);
        }
    }

    function _checkRewardedAtMostOnce() internal view {
        ContributionRewardsHandler.Violations memory v = handler.violations();
        if (v.doubleRewards != 0 || v.rewardedIdAccepted != 0 || v.replayAccepted != 0 || v.rewardCleared != 0) {
            revert RewardedMoreThanOnce(v.doubleRewards, v.rewardedIdAccepted, v.replayAccepted, v.rewardCleared);
        }
        uint256 count = handler.rewardedIdCount();
        for (uint256 i = 0; i < count; ++i) {
            uint64 id = handler.rewardedIdAt(i);
            if (!rewards.isRewarded(id)) revert RewardForgotten(id);
        }
    }

    function _checkOnlyCurrentQuorumMints() internal view {
        uint256 unauthorized = handler.ghostUnauthorizedSuccesses();
        uint256 invalid = handler.violations().invalidAccepted;
        if (unauthorized != 0 || invalid != 0) revert UnauthorizedMint(unauthorized, invalid);
        bytes32 minterRole = token.MINTER_ROLE();
        address[5] memory others = [address(this), address(handler), address(emission), TIMELOCK, GUARDIAN];
        for (uint256 i = 0; i < others.length; ++i) {
            if (token.hasRole(minterRole, others[i])) revert UnexpectedMinter(others[i]);
        }
        for (uint256 i = 0; i < KEY_POOL; ++i) {
            address signer = VM.addr(KEY_BASE + i);
            if (token.hasRole(minterRole, signer)) revert UnexpectedMinter(signer);
        }
    }

    function _checkOnlyTimelockSetsAndGuardianOnlyPauses() internal view {
        ContributionRewardsHandler.Violations memory v = handler.violations();
        uint256 setterSuccesses = handler.ghostUnauthorizedSetterSuccesses();
        if (setterSuccesses != 0 || v.unauthorizedPauses != 0 || v.setterWrongReason != 0) {
            revert UnauthorizedSetter(
                setterSuccesses,
                v.unauthorizedPauses,
                v.setterWrongReason,
                v.lastWrongSetterReason
            );
        }
        uint256 invalidAccepted = v.invalidSignerSetAccepted + v.invalidPolicyAccepted;
        if (v.ownerSetterFailures != 0 || v.guardianPauseFailures != 0 || invalidAccepted != 0) {
            revert GovernanceBroken(
                v.ownerSetterFailures,
                v.guardianPauseFailures,
                invalidAccepted,
                v.lastOwnerSetterFailure
            );
        }
        bytes32 adminRole = token.DEFAULT_ADMIN_ROLE();
        if (
            rewards.owner() != TIMELOCK ||
            emission.owner() != TIMELOCK ||
            !token.hasRole(adminRole, TIMELOCK) ||
            token.hasRole(adminRole, address(this))
        ) {
            revert OwnershipMoved(
                rewards.owner(),
                emission.owner(),
                token.hasRole(adminRole, TIMELOCK),
                token.hasRole(adminRole, address(this))
            );
        }
    }

    function _checkValidBatchesAcceptedAndMintQuotedAmounts() internal view {
        ContributionRewardsHandler.Violations memory v = handler.violations();
        if (v.unexpectedRejections != 0) revert ValidBatchRejected(v.unexpectedRejections, v.lastUnexpectedReason);
        if (v.mintMismatches != 0 || v.deferralMismatches != 0 || v.quoteMismatches != 0) {
            revert MintMismatch(v.mintMismatches, v.deferralMismatches, v.quoteMismatches);
        }
    }

    function _checkEpochsOpenAsViewedAndBurnsRecorded() internal view {
        ContributionRewardsHandler.Violations memory v = handler.violations();
        if (v.openingMismatches != 0 || v.burnMismatches != 0) {
            revert OpeningOrBurnMismatch(v.openingMismatches, v.burnMismatches, v.lastBurnFailure);
        }
    }

    /**
     * @dev One epoch the handler touched: its record equals what the handler saw; minted <=
     * limit <= budget and limit <= annualCap - mintedInWindowBefore; the policy it opened with
     * (the last set before it) bounds its length, base and scale; its budget is its base plus
     * the recycled share of the previous epoch's burns (none after skipped epochs).
     */
    function _checkEpoch(uint256 epoch) internal view {
        IEmissionController.EpochState memory s = emission.epochState(epoch);
        (uint256 minted, uint256 demand, uint256 burned) = handler.epochLedger(epoch);
        if (!s.opened) revert EpochRecordMismatch(epoch, "opened", 0, 1);
        if (s.minted != minted) revert EpochRecordMismatch(epoch, "minted", s.minted, minted);
        if (s.demand != demand) revert EpochRecordMismatch(epoch, "demand", s.demand, demand);
        if (s.burned != burned) revert EpochRecordMismatch(epoch, "burned", s.burned, burned);
        if (minted > s.limit) revert EpochOutOfBounds(epoch, "minted", minted, s.limit);
        if (s.limit > s.budget) revert EpochOutOfBounds(epoch, "limit", s.limit, s.budget);
        uint256 annualRoom = Math.saturatingSub(s.annualCap, s.mintedInWindowBefore);
        if (s.limit > annualRoom) revert EpochOutOfBounds(epoch, "limit", s.limit, annualRoom);

        IEmissionController.Policy memory p = handler.policyAt(epoch);
        if (s.duration != p.epochLength) revert EpochOutOfBounds(epoch, "duration", s.duration, p.epochLength);
        uint256 capBound = Math.mulDiv(token.cap(), p.annualInflationBps, BPS);
        if (s.annualCap > capBound) revert EpochOutOfBounds(epoch, "annualCap", s.annualCap, capBound);
        uint256 ceiling = Math.min(p.budgetMax, Math.mulDiv(s.annualCap, p.epochLength, 365 days));
        if (s.base > ceiling) revert EpochOutOfBounds(epoch, "base", s.base, ceiling);
        if (s.base < Math.min(p.budgetFloor, ceiling)) revert EpochOutOfBounds(epoch, "base", s.base, p.budgetFloor);
        if (s.rewardScale > WAD) revert EpochOutOfBounds(epoch, "rewardScale", s.rewardScale, WAD);
        if (s.rewardScale < p.minRewardScale) {
            revert EpochOutOfBounds(epoch, "rewardScale", s.rewardScale, p.minRewardScale);
        }
        // Epochs open in order, so if the previous epoch was opened, it was the last one opened
        // when this one opened, and its burns were final.
        uint256 recycled;
        if (epoch > 0) {
            IEmissionController.EpochState memory previous = emission.epochState(epoch - 1);
            if (previous.opened) recycled = Math.mulDiv(previous.burned, p.recycleBps, BPS);
        }
        if (s.budget != s.base + recycled) revert EpochOutOfBounds(epoch, "budget", s.budget, s.base + recycled);
    }
}

/// @dev Deployments and a one-item batch shared by the deterministic tests below.
abstract contract RewardsScenario is CheatsBase {
    /// @dev 1-day epochs, an annual cap of 0.2% of supply, every burn recycled.
    function _policy() internal pure returns (IEmissionController.Policy memory) {
        return
            IEmissionController.Policy({
                epochLength: 1 days,
                maxBudgetStepBps: 2_500,
                annualInflationBps: 20,
                recycleBps: 10_000,
                maxScaleStepBps: 2_500,
                minRewardScale: 1e17,
                budgetFloor: 1e18,
                budgetMax: 1e24
            });
    }

    /// @dev Cap 2,000,000, genesis 1,000,000 to the caller (the test contract, also the admin).
    function _token() internal returns (CreditToken) {
        return
            new CreditToken(
                "Contribution Credit",
                "CRED",
                2_000_000e18,
                address(this),
                address(this),
                1_000_000e18,
                new address[](0),
                new uint256[](0)
            );
    }

    /// @dev Rewards with one oracle key (threshold 1) and two categories: 0 with `baseReward` and
    /// `reserveBps`, 1 with 1,000 tokens and no reserve.
    function _rewards(
        CreditToken token,
        EmissionController emission,
        uint256 baseReward,
        uint16 reserveBps
    ) internal returns (ContributionRewards) {
        address[] memory signers = new address[](1);
        signers[0] = VM.addr(KEY_BASE);
        IContributionRewards.CategoryInit[] memory categories = new IContributionRewards.CategoryInit[](2);
        categories[0] = IContributionRewards.CategoryInit("reserved", baseReward, reserveBps);
        categories[1] = IContributionRewards.CategoryInit("open", 1_000e18, 0);
        return
            new ContributionRewards(
                token,
                emission,
                TIMELOCK,
                GUARDIAN,
                1e18,
                10_000e18,
                20_000,
                signers,
                1,
                categories
            );
    }

    /// @dev Rewards contribution `id` (`category`, `quality`) to a fixed contributor in a batch of one.
    function _rewardOne(
        ContributionRewards rewards,
        uint64 id,
        uint8 category,
        uint16 quality
    ) internal returns (uint256 rewarded, uint256 minted) {
        PackedContribution[] memory items = new PackedContribution[](1);
        items[0] = PackedContribution.wrap(
            (uint256(id) << 192) | (uint256(category) << 184) | (uint256(quality) << 168) | uint256(uint160(0xC0C0))
        );
        (, , uint64 signerSetVersion) = rewards.signerSet();
        IContributionRewards.RewardBatch memory batch = IContributionRewards.RewardBatch(
            items,
            keccak256("manifest"),
            signerSetVersion,
            block.timestamp + 1 hours
        );
        bytes[] memory signatures = new bytes[](1);
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(KEY_BASE, rewards.hashRewardBatch(batch));
        signatures[0] = abi.encodePacked(r, s, v);
        return rewards.rewardBatch(batch, signatures);
    }
}

/**
 * @title EmissionControllerOpeningTest
 * @notice Deterministic checks that an epoch opens with exactly the figures its views
 * (`epochState`, `mintAllowance`, `mintedInTrailingYear`, and `projectedNextEpoch` from the
 * epoch before) reported just before, and that the first batch of an epoch can mint what
 * `available` reported.
 *
 * They guard against a defect the invariants above once found (fixed since): `_open` closed
 * the last opened epoch into the cumulative trace and only then computed the new epoch, which
 * counted the last epoch's mints twice in `mintedInWindowBefore`; wherever the annual cap
 * bound, the epoch opened with a lower limit than its views promised, and the first batch
 * planned on them reverted. The scenarios make the annual cap bind on purpose: 1-day epochs, a
 * cap of 0.2% of supply (about 2,000 tokens, 5.5 a day), and burns recycled in full to lift
 * budgets above it. One test, on the `opened` flag of the views, fails on purpose (see it).
 */
contract EmissionControllerOpeningTest is RewardsScenario {
    error OpeningDiffersFromView(uint256 epoch, string field, uint256 opened, uint256 promised);
    error UnexpectedFigure(string field, uint256 actual, uint256 expected);
    error NotRewarded(uint256 rewarded, uint256 minted, uint256 price);

    address internal constant CONTRIBUTOR = address(0xC0C0);

    function test_epochOpening_matchesWhatItsViewsReported() public {
        CreditToken token = _token();
        token.grantRole(token.MINTER_ROLE(), address(this));
        EmissionController emission = new EmissionController(address(token), TIMELOCK, _policy(), 1_000e18);
        token.approve(address(emission), type(uint256).max);

        // Epoch 0 burns 5,000, recycled into epoch 1's budget, which then exceeds the annual
        // cap (0.2% of 995,000 = 1,990): epoch 1 mints 1,000 and burns another 5,000.
        emission.burn(5_000e18);
        IEmissionController.EpochState memory opened = _openAndCompare(emission, 1, 1 days);
        _expect("limit", opened.limit, 1_990e18);
        emission.recordMint(1, 1_000e18, 1_000e18);
        token.mint(CONTRIBUTOR, 1_000e18);
        emission.burn(5_000e18);

        // Epoch 2: the annual cap binds, with epoch 1's 1,000 in its window counted once.
        opened = _openAndCompare(emission, 2, 1 days);
        _expect("mintedInWindowBefore", opened.mintedInWindowBefore, 1_000e18);
        _expect("annualCap", opened.annualCap, 1_982e18); // 0.2% of 991,000
        _expect("limit", opened.limit, 982e18);
        if (opened.budget <= opened.limit) revert UnexpectedFigure("budget", opened.budget, opened.limit);
        emission.recordMint(2, 500e18, 800e18);
        token.mint(CONTRIBUTOR, 500e18);

        // A new policy set in epoch 2 (2-day epochs, 0.3%) applies from epoch 3 and leaves
        // epoch 2 as it was; epoch 5 then opens after two skipped epochs, with both earlier
        // mints in its window.
        IEmissionController.Policy memory p = _policy();
        (p.epochLength, p.annualInflationBps) = (2 days, 30);
        VM.prank(TIMELOCK);
        emission.setPolicy(p);
        _expect("epoch 2 limit", emission.epochState(2).limit, 982e18);
        opened = _openAndCompare(emission, 5, 5 days);
        _expect("duration", opened.duration, 2 days);
        _expect("mintedInWindowBefore", opened.mintedInWindowBefore, 1_500e18);
    }

    /// @dev Epoch 1 (budget lifted by epoch 0's burn) rewards 900; epoch 2, with 900 in its
    /// window, has 0.2% of 990,900 - 900 = 1,081.8 left of the annual cap, and a batch worth
    /// 900 must mint.
    function test_firstBatchOfEpoch_mintsWhatAvailableReported() public {
        CreditToken token = _token();
        EmissionController emission = new EmissionController(address(token), TIMELOCK, _policy(), 1_000e18);
        ContributionRewards rewards = _rewards(token, emission, 900e18, 0);
        token.grantRole(token.MINTER_ROLE(), address(rewards));
        token.approve(address(emission), type(uint256).max);

        emission.burn(5_000e18);
        VM.warp(block.timestamp + 1 days);
        _rewardOne(rewards, 1, 0, 10_000);
        emission.burn(5_000e18);
        VM.warp(block.timestamp + 1 days);

        IEmissionController.EpochState memory promised = emission.epochState(2);
        uint256 available = rewards.available(0);
        _expect("available", available, promised.limit);
        _expect("limit", promised.limit, 1_081.8e18);
        uint256 price = rewards.quote(0, 10_000);
        (uint256 rewarded, uint256 minted) = _rewardOne(rewards, 2, 0, 10_000);
        if (rewarded != 1 || minted != price) revert NotRewarded(rewarded, minted, price);
        _expect("minted", emission.epochState(2).minted, price);
    }

    /**
     * @dev FAILS against the current EmissionController, on purpose (see the test report).
     * `EpochState.opened` is documented as "whether the epoch was opened (used); a projection or
     * a skipped epoch if not", and `projectedNextEpoch` reports false, but `epochState` of the
     * current epoch not yet opened returns its projection with `opened` true (`_opening` sets
     * it for the record it builds), so a reader cannot tell the projection from the record.
     */
    function test_epochState_ofCurrentEpochNotYetOpened_isNotOpened() public {
        CreditToken token = _token();
        EmissionController emission = new EmissionController(address(token), TIMELOCK, _policy(), 1_000e18);
        VM.warp(block.timestamp + 1 days);
        if (emission.projectedNextEpoch().opened) revert UnexpectedFigure("projected opened", 1, 0);
        if (emission.epochState(1).opened) revert UnexpectedFigure("opened before use", 1, 0);
        emission.burn(0); // opens epoch 1
        if (!emission.epochState(1).opened) revert UnexpectedFigure("opened after use", 0, 1);
    }

    /// @dev Warps `by`, to `epoch`, and opens it; every view read just before must match.
    function _openAndCompare(
        EmissionController emission,
        uint256 epoch,
        uint256 by
    ) internal returns (IEmissionController.EpochState memory opened) {
        IEmissionController.EpochState memory projected = emission.projectedNextEpoch();
        VM.warp(block.timestamp + by);
        _expect("currentEpoch", emission.currentEpoch(), epoch);
        IEmissionController.EpochState memory promised = emission.epochState(epoch);
        (uint256 allowanceEpoch, uint256 limit, uint256 minted, uint256 scale) = emission.mintAllowance();
        uint256 trailing = emission.mintedInTrailingYear();

        emission.recordMint(epoch, 0, 0);
        opened = emission.epochState(epoch);
        _compare(opened, promised);
        if (projected.epoch == epoch) _compare(opened, projected);
        _expect("mintAllowance epoch", allowanceEpoch, epoch);
        _expect("mintAllowance limit", limit, opened.limit);
        _expect("mintAllowance minted", minted, 0);
        _expect("mintAllowance scale", scale, opened.rewardScale);
        _expect("mintedInTrailingYear", trailing, opened.mintedInWindowBefore);
    }

    function _compare(IEmissionController.EpochState memory a, IEmissionController.EpochState memory b) internal pure {
        uint256 e = a.epoch;
        if (a.epoch != b.epoch) revert OpeningDiffersFromView(e, "epoch", a.epoch, b.epoch);
        if (a.start != b.start) revert OpeningDiffersFromView(e, "start", a.start, b.start);
        if (a.duration != b.duration) revert OpeningDiffersFromView(e, "duration", a.duration, b.duration);
        if (a.base != b.base) revert OpeningDiffersFromView(e, "base", a.base, b.base);
        if (a.budget != b.budget) revert OpeningDiffersFromView(e, "budget", a.budget, b.budget);
        if (a.limit != b.limit) revert OpeningDiffersFromView(e, "limit", a.limit, b.limit);
        if (a.annualCap != b.annualCap) revert OpeningDiffersFromView(e, "annualCap", a.annualCap, b.annualCap);
        if (a.mintedInWindowBefore != b.mintedInWindowBefore) {
            revert OpeningDiffersFromView(e, "mintedInWindowBefore", a.mintedInWindowBefore, b.mintedInWindowBefore);
        }
        if (a.rewardScale != b.rewardScale) {
            revert OpeningDiffersFromView(e, "rewardScale", a.rewardScale, b.rewardScale);
        }
    }

    function _expect(string memory field, uint256 actual, uint256 expected) internal pure {
        if (actual != expected) revert UnexpectedFigure(field, actual, expected);
    }
}

/**
 * @title ContributionRewardsRoomTest
 * @notice The token-cap room in `ContributionRewards._loadBudget` against the reserve ledger.
 *
 * FAILS against the current ContributionRewards, on purpose (found by the invariants above;
 * see the test report). `_loadBudget` bounds the epoch's limit by `minted + (cap - supply)`,
 * and that bound grows within an epoch when tokens are burned. Each category's reserve is
 * recomputed from the grown limit, but the ledger's `unused` (every category's reserve not yet
 * used) was stored from the smaller one. So `available` over-reports (reserve recomputed, shared
 * pool computed with the stale `unused`), and a batch that draws on a reserve more than the
 * stale `unused` reverts with an arithmetic underflow in `_storeReserves` instead of minting.
 */
contract ContributionRewardsRoomTest is RewardsScenario {
    error NotRewarded(uint256 rewarded, uint256 minted, uint256 price);

    /**
     * @dev Cap = genesis: only burns make room. Epoch 0 burns 10,000 (recycled in full), so
     * epoch 1 has a budget of about 10,205 but room for 10,000: a 1,000-token item of the
     * unreserved category mints, recording 2,000 of reserve (20% of 10,000) as unused. A burn of
     * 3,000 then lifts the room above the budget; the reserved category's reserve becomes 20% of
     * 10,205 = 2,041, and an item worth 2,200 of it fits both the limit (9,205 left) and the room
     * (12,000): it must mint.
     */
    function test_reserveDrawAfterRoomGrowsWithinEpoch_mints() public {
        CreditToken token = new CreditToken(
            "Contribution Credit",
            "CRED",
            1_000_000e18,
            address(this),
            address(this),
            1_000_000e18,
            new address[](0),
            new uint256[](0)
        );
        IEmissionController.Policy memory p = _policy();
        p.annualInflationBps = 1_000;
        EmissionController emission = new EmissionController(address(token), TIMELOCK, p, 1e24);
        ContributionRewards rewards = _rewards(token, emission, 1_100e18, 2_000);
        token.grantRole(token.MINTER_ROLE(), address(rewards));
        token.approve(address(emission), type(uint256).max);

        emission.burn(10_000e18);
        VM.warp(block.timestamp + 1 days);
        (uint256 rewarded, ) = _rewardOne(rewards, 1, 1, 10_000);
        if (rewarded != 1) revert NotRewarded(rewarded, 0, 0);
        emission.burn(3_000e18);

        uint256 price = rewards.quote(0, 20_000);
        uint256 minted;
        // Reverts with Panic(0x11) (underflow in _storeReserves) against the current contract.
        (rewarded, minted) = _rewardOne(rewards, 2, 0, 20_000);
        if (rewarded != 1 || minted != price) revert NotRewarded(rewarded, minted, price);
    }
}
