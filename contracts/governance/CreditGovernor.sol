// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorProposalGuardian} from "@openzeppelin/contracts/governance/extensions/GovernorProposalGuardian.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorStorage} from "@openzeppelin/contracts/governance/extensions/GovernorStorage.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/**
 * @title CreditGovernor
 * @notice Token-weighted governance of the credit economy, executed through a timelock.
 *
 * Composition only, from OpenZeppelin Governor modules (compatible with Tally):
 * - GovernorSettings: voting delay, voting period and proposal threshold, themselves governed.
 * - GovernorCountingSimple: for, against and abstain; abstain counts toward quorum.
 * - GovernorVotes + GovernorVotesQuorumFraction: votes and quorum read from the token at the
 *   proposal snapshot (a timestamp: the token's ERC-6372 clock), so tokens bought, borrowed or
 *   minted after the snapshot do not vote.
 * - GovernorTimelockControl: every successful proposal waits in the timelock, which holds the
 *   treasury and is the admin of every contract in the system.
 * - GovernorPreventLateQuorum: a quorum reached late pushes the deadline back by a minimum
 *   extension, so a last-minute swing cannot pass a proposal unopposed.
 * - GovernorProposalGuardian: a guardian (set and removed only by governance) may cancel any
 *   proposal at any stage and can do nothing else. It answers a token-buying capture, as
 *   Compound's did in 2024.
 * - GovernorStorage: proposals enumerable on-chain for the CLI and dashboards.
 *
 * IMPORTANT: a proposal guardian set to the zero address lets each proposer cancel their own
 * proposals at any stage (OpenZeppelin's documented fallback).
 */
contract CreditGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorStorage,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorPreventLateQuorum,
    GovernorProposalGuardian,
    GovernorTimelockControl
{
    /**
     * @notice Deploys the governor with every parameter fixed by the deployment.
     * @param token_ The ERC-5805 votes token (CreditToken).
     * @param timelock_ The TimelockController that executes proposals and holds the treasury.
     * @param initialVotingDelay Seconds between proposing and the voting snapshot.
     * @param initialVotingPeriod Seconds that voting stays open.
     * @param initialProposalThreshold Votes needed to create a proposal.
     * @param quorumNumeratorValue Quorum as a percentage (out of 100) of the past total supply.
     * @param initialVoteExtension Minimum seconds left for voting after quorum is reached.
     * @param initialProposalGuardian The address that may cancel proposals (zero for none).
     */
    constructor(
        IVotes token_,
        TimelockController timelock_,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumNumeratorValue,
        uint48 initialVoteExtension,
        address initialProposalGuardian
    )
        Governor("CreditGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token_)
        GovernorVotesQuorumFraction(quorumNumeratorValue)
        GovernorPreventLateQuorum(initialVoteExtension)
        GovernorTimelockControl(timelock_)
    {
        _setProposalGuardian(initialProposalGuardian);
    }

    // The functions below are overrides required by Solidity.

    /// @inheritdoc IGovernor
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @inheritdoc IGovernor
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @inheritdoc IGovernor
    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return super.quorum(timepoint);
    }

    /// @inheritdoc IGovernor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc IGovernor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc IGovernor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @inheritdoc IGovernor
    function proposalDeadline(
        uint256 proposalId
    ) public view override(Governor, GovernorPreventLateQuorum) returns (uint256) {
        return super.proposalDeadline(proposalId);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorStorage) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorPreventLateQuorum) {
        super._tallyUpdated(proposalId);
    }

    function _validateCancel(
        uint256 proposalId,
        address caller
    ) internal view override(Governor, GovernorProposalGuardian) returns (bool) {
        return super._validateCancel(proposalId, caller);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
