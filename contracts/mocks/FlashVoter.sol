// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/**
 * @title FlashVoter
 * @notice TEST ONLY. Models a flash-loan attacker: in one transaction it borrows tokens from a
 * lender (pulled with an allowance), delegates them to itself, votes, and repays. The tests use
 * it to show that tokens received after a proposal's snapshot carry no weight.
 */
contract FlashVoter {
    /**
     * @notice Borrows `amount` from `lender`, self-delegates, votes `support` and repays.
     * @param token The votes token to borrow.
     * @param lender The account that approved this contract for `amount`.
     * @param amount The amount borrowed for the duration of the call.
     * @param governor The governor to vote on.
     * @param proposalId The proposal to vote on.
     * @param support The vote (0 against, 1 for, 2 abstain).
     * @return weight The weight the governor counted for the vote.
     */
    function borrowAndVote(
        IERC20 token,
        address lender,
        uint256 amount,
        IGovernor governor,
        uint256 proposalId,
        uint8 support
    ) external returns (uint256 weight) {
        token.transferFrom(lender, address(this), amount);
        IVotes(address(token)).delegate(address(this));
        weight = governor.castVote(proposalId, support);
        token.transfer(lender, amount);
    }
}
