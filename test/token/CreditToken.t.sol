// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {CreditToken} from "../../contracts/token/CreditToken.sol";
import {CheatsBase} from "../utils/Cheats.sol";

/// @dev Drives the token with bounded random actions from a fixed set of actors.
contract CreditTokenHandler is CheatsBase {
    CreditToken public immutable token;
    address[] public actors;

    uint256 public ghostMinted;
    uint256 public ghostBurned;
    uint256 public ghostMintsRejectedAtCap;

    constructor(CreditToken token_, address[] memory actors_) {
        token = token_;
        actors = actors_;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    /// @dev Mints up to 10% past the remaining room, so some attempts must hit the cap.
    function mint(uint256 actorSeed, uint256 amount) external {
        address to = _actor(actorSeed);
        uint256 room = token.cap() - token.totalSupply();
        amount = _bound(amount, 0, room + room / 10 + 1);
        if (amount > room) {
            VM.expectRevert(
                abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, token.totalSupply() + amount, token.cap())
            );
            token.mint(to, amount);
            ++ghostMintsRejectedAtCap;
            return;
        }
        token.mint(to, amount);
        ghostMinted += amount;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _actor(fromSeed);
        amount = _bound(amount, 0, token.balanceOf(from));
        VM.prank(from);
        token.transfer(_actor(toSeed), amount);
    }

    function burn(uint256 actorSeed, uint256 amount) external {
        address from = _actor(actorSeed);
        amount = _bound(amount, 0, token.balanceOf(from));
        VM.prank(from);
        token.burn(amount);
        ghostBurned += amount;
    }

    function delegate(uint256 fromSeed, uint256 toSeed) external {
        VM.prank(_actor(fromSeed));
        token.delegate(_actor(toSeed));
    }

    function undelegate(uint256 fromSeed) external {
        VM.prank(_actor(fromSeed));
        token.delegate(address(0));
    }

    function advanceTime(uint256 secondsForward) external {
        VM.warp(block.timestamp + _bound(secondsForward, 1, 30 days));
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }
}

/// @custom:invariant totalSupply() <= cap() (DESIGN invariant 1).
/// @custom:invariant The sum of all delegates' votes never exceeds totalSupply().
/// @custom:invariant The votes of all delegates equal the balances of delegating holders.
/// @custom:invariant totalSupply() equals genesis + minted - burned.
contract CreditTokenInvariantTest is CheatsBase {
    error SupplyAboveCap(uint256 supply, uint256 cap);
    error VotesAboveSupply(uint256 votes, uint256 supply);
    error VotesMismatch(uint256 votes, uint256 delegatedBalances);
    error SupplyMismatch(uint256 supply, uint256 expected);

    uint256 internal constant CAP = 1_000_000e18;
    uint256 internal constant GENESIS_EACH = 10_000e18;

    CreditToken internal token;
    CreditTokenHandler internal handler;
    address[] internal actors;

    function setUp() public {
        for (uint256 i = 1; i <= 5; ++i) actors.push(address(uint160(0xA000 + i)));
        uint256[] memory amounts = new uint256[](actors.length);
        for (uint256 i = 0; i < amounts.length; ++i) amounts[i] = GENESIS_EACH;
        token = new CreditToken("Contribution Credit", "CRED", CAP, address(this), address(this), 0, actors, amounts);
        handler = new CreditTokenHandler(token, actors);
        token.grantRole(token.MINTER_ROLE(), address(handler));
    }

    /// @dev Foundry-style target selection: only the handler is called by the fuzzer.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_totalSupplyNeverExceedsCap() public view {
        if (token.totalSupply() > token.cap()) revert SupplyAboveCap(token.totalSupply(), token.cap());
    }

    function invariant_delegatedVotesNeverExceedSupply() public view {
        uint256 votes;
        uint256 delegatedBalances;
        for (uint256 i = 0; i < actors.length; ++i) {
            votes += token.getVotes(actors[i]);
            if (token.delegates(actors[i]) != address(0)) delegatedBalances += token.balanceOf(actors[i]);
        }
        if (votes > token.totalSupply()) revert VotesAboveSupply(votes, token.totalSupply());
        if (votes != delegatedBalances) revert VotesMismatch(votes, delegatedBalances);
    }

    function invariant_supplyMatchesMintsAndBurns() public view {
        uint256 expected = GENESIS_EACH * actors.length + handler.ghostMinted() - handler.ghostBurned();
        if (token.totalSupply() != expected) revert SupplyMismatch(token.totalSupply(), expected);
    }
}

contract CreditTokenFuzzTest is CheatsBase {
    uint256 internal constant CAP = 1_000_000e18;
    address internal constant HOLDER = address(0xB0B);

    CreditToken internal token;

    function setUp() public {
        address[] memory recipients = new address[](1);
        recipients[0] = HOLDER;
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 1_000e18;
        token = new CreditToken(
            "Contribution Credit",
            "CRED",
            CAP,
            address(this),
            address(this),
            0,
            recipients,
            amounts
        );
        token.grantRole(token.MINTER_ROLE(), address(this));
    }

    function testFuzz_mint_succeedsExactlyWhenWithinCap(uint256 first, uint256 second) public {
        first = _bound(first, 0, CAP - token.totalSupply());
        token.mint(HOLDER, first);
        uint256 room = CAP - token.totalSupply();
        second = _bound(second, 0, 2 * CAP);
        if (second > room) {
            VM.expectRevert(
                abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, token.totalSupply() + second, CAP)
            );
        }
        token.mint(HOLDER, second);
        require(token.totalSupply() <= CAP, "supply above cap");
    }

    function testFuzz_constructor_rejectsGenesisAboveCap(uint256 cap, uint256 excess) public {
        cap = _bound(cap, 1, type(uint128).max);
        excess = _bound(excess, 1, type(uint128).max);
        address[] memory recipients = new address[](1);
        recipients[0] = HOLDER;
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = excess;
        VM.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, cap + excess, cap));
        new CreditToken("Contribution Credit", "CRED", cap, address(this), address(this), cap, recipients, amounts);
    }

    function testFuzz_mint_fromNotMinter_reverts(address caller) public {
        VM.assume(caller != address(this));
        bytes32 minterRole = token.MINTER_ROLE();
        VM.expectRevert(
            abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", caller, minterRole)
        );
        VM.prank(caller);
        token.mint(caller, 1);
    }
}
