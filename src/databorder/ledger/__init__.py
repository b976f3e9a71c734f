"""The verifiable disclosure log: RFC 9162 Merkle tree, signed tree heads, proofs."""
