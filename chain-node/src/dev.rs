//! Devnet defaults: deterministic dev keys, funded genesis accounts and
//! [`ChainConfig::dev`].

use std::path::PathBuf;

use ed25519_dalek::SigningKey;

use crate::chain::ChainConfig;
use crate::types::{keccak256, Address};

/// Default devnet chain id.
pub const DEV_CHAIN_ID: u64 = 1337;
/// Number of funded dev accounts.
pub const DEV_ACCOUNT_COUNT: usize = 10;
/// Genesis balance of each dev account: 1_000_000 * 10^18.
pub const DEV_BALANCE: u128 = 1_000_000 * 1_000_000_000_000_000_000;
/// Default block gas limit (enough to deploy the largest code the VM accepts, 512 KiB).
pub const DEFAULT_BLOCK_GAS_LIMIT: u64 = 200_000_000;
/// Default minimum gas price, base units per gas: the lowest non-zero price. Any non-zero
/// price makes every transaction cost at least its intrinsic gas (400 000 base units at
/// this price), so a key with no balance cannot send one; the CLI signs at this price.
pub const DEFAULT_MIN_GAS_PRICE: u128 = 1;

/// The first `n` dev keys: secret `i` = `keccak256(b"metron dev account" ++ (i as u32) LE)`.
/// Public, well-known keys: never use them outside a devnet.
pub fn dev_keys(n: usize) -> Vec<SigningKey> {
    (0..n)
        .map(|i| {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            let mut seed = b"metron dev account".to_vec();
            seed.extend_from_slice(&index.to_le_bytes());
            SigningKey::from_bytes(&keccak256(&seed))
        })
        .collect()
}

/// Addresses of the [`DEV_ACCOUNT_COUNT`] dev accounts, in key order.
pub fn dev_addresses() -> Vec<Address> {
    dev_keys(DEV_ACCOUNT_COUNT)
        .iter()
        .map(|k| k.verifying_key().to_bytes())
        .collect()
}

impl ChainConfig {
    /// Devnet configuration: chain id 1337, the 10 dev accounts funded with
    /// [`DEV_BALANCE`] each, default VM config, [`DEFAULT_BLOCK_GAS_LIMIT`],
    /// [`DEFAULT_MIN_GAS_PRICE`], blocks synced to disk.
    pub fn dev(data_dir: impl Into<PathBuf>) -> ChainConfig {
        ChainConfig {
            data_dir: data_dir.into(),
            chain_id: DEV_CHAIN_ID,
            genesis_accounts: dev_addresses()
                .into_iter()
                .map(|a| (a, DEV_BALANCE))
                .collect(),
            vm: metron_vm::Config::default(),
            block_gas_limit: DEFAULT_BLOCK_GAS_LIMIT,
            min_gas_price: DEFAULT_MIN_GAS_PRICE,
            durability: crate::state::Durability::Sync,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_keys_are_deterministic_and_distinct() {
        let a = dev_keys(3);
        let b = dev_keys(3);
        assert_eq!(a[2].to_bytes(), b[2].to_bytes());
        assert_ne!(a[0].to_bytes(), a[1].to_bytes());
        let mut seed = b"metron dev account".to_vec();
        seed.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(a[0].to_bytes(), keccak256(&seed));
        assert_eq!(dev_addresses().len(), DEV_ACCOUNT_COUNT);
    }
}
