// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title EpochScheduled
 * @notice A small governed value whose changes take effect from the next epoch, never mid-epoch.
 *
 * It remembers the value in force before the change (`previous`) and the first epoch of the
 * new `value`, so reading it for any epoch since the last change needs no keeper at the epoch
 * boundary. Pure functions on a memory copy, so that callers can keep the three fields packed
 * with others in one storage slot.
 */
library EpochScheduled {
    /// @dev `value` applies from epoch `fromEpoch`; earlier epochs read `previous`.
    struct Uint16 {
        uint16 previous;
        uint16 value;
        uint32 fromEpoch;
    }

    /// @dev The value in force during `epoch` (any epoch since the last change was scheduled).
    function at(Uint16 memory self, uint256 epoch) internal pure returns (uint16) {
        return epoch >= self.fromEpoch ? self.value : self.previous;
    }

    /**
     * @dev `self` with `newValue` scheduled to apply from `currentEpoch + 1`, keeping the current
     * epoch's value. Scheduling twice in one epoch replaces the first schedule.
     */
    function schedule(Uint16 memory self, uint16 newValue, uint256 currentEpoch) internal pure returns (Uint16 memory) {
        return Uint16({previous: at(self, currentEpoch), value: newValue, fromEpoch: uint32(currentEpoch + 1)});
    }
}
