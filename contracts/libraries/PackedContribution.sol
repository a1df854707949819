// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @dev One attested contribution packed into a single 256-bit word, so that a batch costs one
 * calldata word per item (about 450 gas instead of about 830 for the ABI-encoded struct):
 *
 * ```
 *  255        192 191    184 183    168 167   160 159                 0
 * | id (uint64)  | category | quality  | 0 (pad) | contributor (address) |
 * ```
 *
 * The signed EIP-712 struct is `Contribution(uint64 id,address contributor,uint8 category,uint16 quality)`;
 * the packing is canonical (the pad byte must be zero), so each word has exactly one struct.
 */
type PackedContribution is uint256;

/**
 * @title PackedContributionLib
 * @notice Unpacking and packing of {PackedContribution}.
 */
library PackedContributionLib {
    /// @dev The pad byte (bits 160..167) of a packed contribution is not zero.
    error PackedContributionNonCanonical(uint256 word);

    uint256 private constant _ADDRESS_MASK = (1 << 160) - 1;

    /**
     * @dev Returns the fields of `packed`. Reverts with {PackedContributionNonCanonical} if the
     * pad byte is set, so that no two words decode to the same contribution.
     */
    function unpack(
        PackedContribution packed
    ) internal pure returns (uint64 id, address contributor, uint8 category, uint16 quality) {
        uint256 word = PackedContribution.unwrap(packed);
        if ((word >> 160) & 0xff != 0) revert PackedContributionNonCanonical(word);
        id = uint64(word >> 192);
        category = uint8(word >> 184);
        quality = uint16(word >> 168);
        contributor = address(uint160(word & _ADDRESS_MASK));
    }

    /// @dev Packs the fields of a contribution (the inverse of {unpack}).
    function pack(
        uint64 id,
        address contributor,
        uint8 category,
        uint16 quality
    ) internal pure returns (PackedContribution) {
        return
            PackedContribution.wrap(
                (uint256(id) << 192) |
                    (uint256(category) << 184) |
                    (uint256(quality) << 168) |
                    uint256(uint160(contributor))
            );
    }
}
