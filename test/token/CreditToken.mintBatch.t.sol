// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {CreditToken} from "../../contracts/token/CreditToken.sol";
import {ICreditToken} from "../../contracts/token/ICreditToken.sol";
import {CheatsBase} from "../utils/Cheats.sol";

/**
 * @title CreditTokenMintBatchTest
 * @notice Differential fuzz test of {CreditToken.mintBatch}: the same recipients and amounts are
 * minted in one `mintBatch` on token A and one `mint` per item on token B, in the same block,
 * after the same delegations; every observable (balances, supply, votes, vote checkpoints, past
 * votes and past supply) must be equal. Also the batch's failure modes: cap, zero recipient,
 * length mismatch, missing role.
 * @custom:invariant mintBatch(to, amounts) is observably equal to mint(to[i], amounts[i]) for every i.
 */
contract CreditTokenMintBatchTest is CheatsBase {
    error BalanceDiffers(address account, uint256 batched, uint256 sequential);
    error SupplyDiffers(uint256 batched, uint256 sequential);
    error SupplyUnexpected(uint256 supply, uint256 expected);
    error BalanceUnexpected(address account, uint256 balance, uint256 expected);
    error VotesDiffer(address account, uint256 batched, uint256 sequential);
    error DelegateDiffers(address account, address batched, address sequential);
    error CheckpointCountDiffers(address account, uint32 batched, uint32 sequential);
    error CheckpointDiffers(address account, uint32 pos, uint48 batchedKey, uint48 sequentialKey);
    error CheckpointValueDiffers(address account, uint32 pos, uint208 batched, uint208 sequential);
    error PastVotesDiffer(address account, uint256 timepoint, uint256 batched, uint256 sequential);
    error PastSupplyDiffers(uint256 timepoint, uint256 batched, uint256 sequential);
    error VotesExceedSupply(uint256 votes, uint256 supply);

    uint256 internal constant CAP = 1_000_000_000e18;
    uint256 internal constant GENESIS_EACH = 1_000e18;
    uint256 internal constant POOL_SIZE = 6;
    uint256 internal constant MAX_ITEMS = 8;
    /// @dev A delegate outside the pool: holds no tokens, only votes.
    address internal constant OUTSIDER = address(0xD0D0);

    CreditToken internal batched;
    CreditToken internal sequential;
    address[POOL_SIZE] internal pool;

    function setUp() public {
        for (uint256 i = 0; i < POOL_SIZE; ++i) pool[i] = address(uint160(0xC000 + i + 1));
        // Genesis to every other pool address, so delegations move existing votes too.
        address[] memory recipients = new address[](3);
        uint256[] memory amounts = new uint256[](3);
        for (uint256 i = 0; i < 3; ++i) {
            recipients[i] = pool[2 * i];
            amounts[i] = GENESIS_EACH;
        }
        batched = new CreditToken("Credit A", "CRA", CAP, address(this), address(this), 0, recipients, amounts);
        sequential = new CreditToken("Credit B", "CRB", CAP, address(this), address(this), 0, recipients, amounts);
        batched.grantRole(batched.MINTER_ROLE(), address(this));
        sequential.grantRole(sequential.MINTER_ROLE(), address(this));
    }

    /**
     * @dev `delegations[i] % 8`: 0-5 delegate pool[i] to that pool address (itself included),
     * 6 leaves it undelegated, 7 delegates to OUTSIDER. `picks` choose recipients from the pool
     * (duplicates are the point), `count` the batch length (0 to 8). A pre-mint and a
     * re-delegation at an earlier timestamp give the checkpoints some history.
     */
    function testFuzz_mintBatch_matchesSequentialMints(
        uint8[POOL_SIZE] calldata delegations,
        uint8[MAX_ITEMS] calldata picks,
        uint80[MAX_ITEMS] calldata amounts,
        uint256 count,
        uint256 preMint,
        uint8 redelegation
    ) public {
        uint256 t1 = block.timestamp + 10;
        uint256 t2 = t1 + 10;
        _delegateAndPreMint(delegations, t1, t2, preMint, redelegation);

        uint256 t3 = t2 + 10;
        VM.warp(t3);
        (address[] memory to, uint256[] memory values) = _slice(picks, amounts, 0, _bound(count, 0, MAX_ITEMS));
        _mintBothWays(to, values);

        // Past values, read from the next block: before the delegations, after them, after the
        // pre-mint, and in the block of the batch.
        VM.warp(t3 + 5);
        uint256[5] memory timepoints = [t1 - 1, t1, t2, t3, t3 + 4];
        for (uint256 j = 0; j < timepoints.length; ++j) _assertSamePast(timepoints[j]);
    }

    /// @dev Two batches and single mints interleaved in one block still collapse to the same state.
    function testFuzz_mintBatch_twiceInOneBlock_matchesSequentialMints(
        uint8[MAX_ITEMS] calldata picks,
        uint80[MAX_ITEMS] calldata amounts,
        uint256 split
    ) public {
        _delegateOnBoth(pool[0], pool[0]);
        _delegateOnBoth(pool[1], pool[0]);
        _delegateOnBoth(pool[3], pool[3]);
        VM.warp(block.timestamp + 100);
        uint256 cut = _bound(split, 0, MAX_ITEMS);
        (address[] memory firstTo, uint256[] memory firstValues) = _slice(picks, amounts, 0, cut);
        (address[] memory secondTo, uint256[] memory secondValues) = _slice(picks, amounts, cut, MAX_ITEMS);

        batched.mintBatch(firstTo, firstValues);
        batched.mint(pool[5], 1e18);
        batched.mintBatch(secondTo, secondValues);
        for (uint256 i = 0; i < firstTo.length; ++i) sequential.mint(firstTo[i], firstValues[i]);
        sequential.mint(pool[5], 1e18);
        for (uint256 i = 0; i < secondTo.length; ++i) sequential.mint(secondTo[i], secondValues[i]);

        _assertSameState();
        uint256 t = block.timestamp;
        VM.warp(t + 1);
        _assertSamePast(t);
        _assertSamePast(t - 1);
    }

    /// @dev A batch that would end past the cap reverts with the supply it would have reached.
    function testFuzz_mintBatch_pastCap_reverts(uint80[4] calldata amounts, uint256 excess, uint256 lastIndex) public {
        uint256 room = CAP - batched.totalSupply();
        uint256 n = 4;
        uint256 last = _bound(lastIndex, 0, n - 1);
        address[] memory to = new address[](n);
        uint256[] memory values = new uint256[](n);
        uint256 sum;
        for (uint256 i = 0; i < n; ++i) {
            to[i] = pool[i];
            if (i == last) continue;
            values[i] = amounts[i];
            sum += amounts[i];
        }
        // The item that crosses the cap may sit anywhere: the check runs once, after the loop.
        values[last] = room - sum + _bound(excess, 1, CAP);
        uint256 newSupply = batched.totalSupply() + room + _bound(excess, 1, CAP);
        VM.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, newSupply, CAP));
        batched.mintBatch(to, values);
    }

    /// @dev A batch that ends exactly at the cap succeeds; one more unit then reverts.
    function testFuzz_mintBatch_upToCap_succeeds(uint80[3] calldata amounts) public {
        uint256 room = CAP - batched.totalSupply();
        address[] memory to = new address[](4);
        uint256[] memory values = new uint256[](4);
        uint256 sum;
        for (uint256 i = 0; i < 3; ++i) {
            to[i] = pool[i];
            values[i] = amounts[i];
            sum += amounts[i];
        }
        to[3] = pool[3];
        values[3] = room - sum;
        batched.mintBatch(to, values);
        if (batched.totalSupply() != CAP) revert SupplyUnexpected(batched.totalSupply(), CAP);

        address[] memory oneTo = new address[](1);
        uint256[] memory oneValue = new uint256[](1);
        oneTo[0] = pool[4];
        oneValue[0] = 1;
        VM.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, CAP + 1, CAP));
        batched.mintBatch(oneTo, oneValue);
    }

    /// @dev The zero address anywhere in a batch reverts the whole batch, whatever the amounts.
    function testFuzz_mintBatch_zeroRecipient_reverts(
        uint256 count,
        uint256 position,
        uint80[MAX_ITEMS] calldata amounts
    ) public {
        uint256 n = _bound(count, 1, MAX_ITEMS);
        uint256 zeroAt = _bound(position, 0, n - 1);
        address[] memory to = new address[](n);
        uint256[] memory values = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            to[i] = i == zeroAt ? address(0) : pool[i % POOL_SIZE];
            values[i] = amounts[i];
        }
        VM.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        batched.mintBatch(to, values);
    }

    function testFuzz_mintBatch_lengthMismatch_reverts(uint256 recipients, uint256 amounts) public {
        uint256 toLength = _bound(recipients, 0, 10);
        uint256 amountsLength = _bound(amounts, 0, 10);
        if (toLength == amountsLength) amountsLength = toLength + 1;
        address[] memory to = new address[](toLength);
        uint256[] memory values = new uint256[](amountsLength);
        for (uint256 i = 0; i < toLength; ++i) to[i] = pool[i % POOL_SIZE];
        VM.expectRevert(
            abi.encodeWithSelector(ICreditToken.CreditTokenBatchLengthMismatch.selector, toLength, amountsLength)
        );
        batched.mintBatch(to, values);
    }

    function testFuzz_mintBatch_fromNonMinter_reverts(address caller) public {
        VM.assume(caller != address(this));
        bytes32 minterRole = batched.MINTER_ROLE();
        address[] memory to = new address[](1);
        uint256[] memory values = new uint256[](1);
        to[0] = pool[0];
        values[0] = 1;
        VM.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, minterRole)
        );
        VM.prank(caller);
        batched.mintBatch(to, values);
    }

    function _delegateAndPreMint(
        uint8[POOL_SIZE] calldata delegations,
        uint256 t1,
        uint256 t2,
        uint256 preMint,
        uint8 redelegation
    ) internal {
        VM.warp(t1);
        for (uint256 i = 0; i < POOL_SIZE; ++i) {
            uint256 choice = delegations[i] % 8;
            if (choice == 6) continue;
            _delegateOnBoth(pool[i], choice == 7 ? OUTSIDER : pool[choice]);
        }
        VM.warp(t2);
        address preMintTo = pool[preMint % POOL_SIZE];
        uint256 preMintAmount = _bound(preMint >> 8, 0, 10_000e18);
        batched.mint(preMintTo, preMintAmount);
        sequential.mint(preMintTo, preMintAmount);
        // Re-delegate one holder in the same block as the pre-mint.
        _delegateOnBoth(pool[redelegation % POOL_SIZE], pool[(redelegation >> 4) % POOL_SIZE]);
    }

    /// @dev One mintBatch on A, one mint per item on B; checks A against a model, then A against B.
    function _mintBothWays(address[] memory to, uint256[] memory values) internal {
        uint256[] memory expected = new uint256[](POOL_SIZE + 1);
        for (uint256 i = 0; i <= POOL_SIZE; ++i) {
            expected[i] = batched.balanceOf(i < POOL_SIZE ? pool[i] : OUTSIDER);
        }
        uint256 expectedSupply = batched.totalSupply();
        for (uint256 i = 0; i < to.length; ++i) {
            expected[_poolIndex(to[i])] += values[i];
            expectedSupply += values[i];
        }

        batched.mintBatch(to, values);
        for (uint256 i = 0; i < to.length; ++i) sequential.mint(to[i], values[i]);

        if (batched.totalSupply() != expectedSupply) revert SupplyUnexpected(batched.totalSupply(), expectedSupply);
        for (uint256 i = 0; i <= POOL_SIZE; ++i) {
            address account = i < POOL_SIZE ? pool[i] : OUTSIDER;
            if (batched.balanceOf(account) != expected[i]) {
                revert BalanceUnexpected(account, batched.balanceOf(account), expected[i]);
            }
        }
        _assertSameState();
    }

    function _poolIndex(address account) internal view returns (uint256 index) {
        while (pool[index] != account) ++index;
    }

    function _delegateOnBoth(address holder, address delegatee) internal {
        VM.prank(holder);
        batched.delegate(delegatee);
        VM.prank(holder);
        sequential.delegate(delegatee);
    }

    function _slice(
        uint8[MAX_ITEMS] calldata picks,
        uint80[MAX_ITEMS] calldata amounts,
        uint256 from,
        uint256 until
    ) internal view returns (address[] memory to, uint256[] memory values) {
        to = new address[](until - from);
        values = new uint256[](until - from);
        for (uint256 i = from; i < until; ++i) {
            to[i - from] = pool[picks[i] % POOL_SIZE];
            values[i - from] = amounts[i];
        }
    }

    /// @dev Equal balances, supply, delegates, votes and every vote checkpoint, now.
    function _assertSameState() internal view {
        if (batched.totalSupply() != sequential.totalSupply()) {
            revert SupplyDiffers(batched.totalSupply(), sequential.totalSupply());
        }
        uint256 votes;
        for (uint256 i = 0; i <= POOL_SIZE; ++i) {
            address account = i < POOL_SIZE ? pool[i] : OUTSIDER;
            if (batched.balanceOf(account) != sequential.balanceOf(account)) {
                revert BalanceDiffers(account, batched.balanceOf(account), sequential.balanceOf(account));
            }
            if (batched.delegates(account) != sequential.delegates(account)) {
                revert DelegateDiffers(account, batched.delegates(account), sequential.delegates(account));
            }
            if (batched.getVotes(account) != sequential.getVotes(account)) {
                revert VotesDiffer(account, batched.getVotes(account), sequential.getVotes(account));
            }
            votes += batched.getVotes(account);
            _assertSameCheckpoints(account);
        }
        if (votes > batched.totalSupply()) revert VotesExceedSupply(votes, batched.totalSupply());
    }

    function _assertSameCheckpoints(address account) internal view {
        uint32 count = batched.numCheckpoints(account);
        if (count != sequential.numCheckpoints(account)) {
            revert CheckpointCountDiffers(account, count, sequential.numCheckpoints(account));
        }
        for (uint32 pos = 0; pos < count; ++pos) {
            uint48 batchedKey = batched.checkpoints(account, pos)._key;
            uint48 sequentialKey = sequential.checkpoints(account, pos)._key;
            if (batchedKey != sequentialKey) revert CheckpointDiffers(account, pos, batchedKey, sequentialKey);
            uint208 batchedValue = batched.checkpoints(account, pos)._value;
            uint208 sequentialValue = sequential.checkpoints(account, pos)._value;
            if (batchedValue != sequentialValue) {
                revert CheckpointValueDiffers(account, pos, batchedValue, sequentialValue);
            }
        }
    }

    /// @dev Equal past total supply and past votes of every pool address and the outsider at `timepoint`.
    function _assertSamePast(uint256 timepoint) internal view {
        if (batched.getPastTotalSupply(timepoint) != sequential.getPastTotalSupply(timepoint)) {
            revert PastSupplyDiffers(
                timepoint,
                batched.getPastTotalSupply(timepoint),
                sequential.getPastTotalSupply(timepoint)
            );
        }
        for (uint256 i = 0; i <= POOL_SIZE; ++i) {
            address account = i < POOL_SIZE ? pool[i] : OUTSIDER;
            uint256 a = batched.getPastVotes(account, timepoint);
            uint256 b = sequential.getPastVotes(account, timepoint);
            if (a != b) revert PastVotesDiffer(account, timepoint, a, b);
        }
    }
}
