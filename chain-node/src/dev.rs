//! Devnet defaults: deterministic dev keys, funded genesis accounts and
//! [`ChainConfig::dev`]; dev accounts from a BIP-39 mnemonic ([`DevAccounts`],
//! `metron node --dev --mnemonic`).

use std::path::PathBuf;

use bip39::{Language, Mnemonic};
use ed25519_dalek::SigningKey;
use ed25519_dalek_bip32::{ChildIndex, ExtendedSigningKey};

use crate::chain::ChainConfig;
use crate::service::NodeConfig;
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

/// Most dev accounts a devnet funds (`metron node --accounts`). Each is a genesis write,
/// two banner lines and, from a mnemonic, five HMAC-SHA512 derivations: ten thousand
/// start in well under a second and keep the banner readable by a program.
pub const MAX_DEV_ACCOUNTS: usize = 10_000;

/// Coin type (BIP-44 level 2) of the mnemonic derivation path [`mnemonic_path`].
/// Metron has no SLIP-44 registration, so the path uses the devnet chain id
/// ([`DEV_CHAIN_ID`]): a mnemonic also used by a wallet of another ed25519 chain
/// (Solana's `m/44'/501'/i'/0'`, Aptos' `m/44'/637'/...`) gives other keys here, and its
/// accounts there are not exposed by a devnet banner.
pub const MNEMONIC_COIN_TYPE: u32 = 1337;

/// Environment variable a CLI client reads to sign `--from N` and encode `dev:N` with the
/// keys of a devnet started with `--mnemonic` (see [`DevKeySource::from_env`]).
pub const MNEMONIC_ENV: &str = "METRON_MNEMONIC";

/// The SLIP-0010 path of mnemonic account `index`: `m/44'/1337'/0'/0'/index'`. Every level
/// is hardened, as SLIP-0010 requires for ed25519 (it has no public derivation); the
/// levels follow BIP-44 (purpose, coin type, account, change, address index).
pub fn mnemonic_path(index: &str) -> String {
    format!("m/44'/{MNEMONIC_COIN_TYPE}'/0'/0'/{index}'")
}

/// An invalid dev-account setup: a mnemonic that is not BIP-39, too many accounts, or no
/// OS randomness for a new mnemonic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DevAccountsError {
    /// A word of the mnemonic is not in the BIP-39 English word list.
    #[error("invalid mnemonic: word {position} ({word:?}) is not in the BIP-39 English word list")]
    UnknownWord {
        /// 1-based position of the word.
        position: usize,
        /// The word as given.
        word: String,
    },
    /// The mnemonic does not have 12, 15, 18, 21 or 24 words.
    #[error("invalid mnemonic: {0} words; a BIP-39 mnemonic has 12, 15, 18, 21 or 24")]
    WordCount(usize),
    /// The words are valid but their checksum (carried by the last word) does not match.
    #[error(
        "invalid mnemonic: bad checksum (the words are BIP-39 words, but not in an order \
         a mnemonic can have: check them for a typo or a swap)"
    )]
    Checksum,
    /// Any other BIP-39 failure, as `bip39` words it.
    #[error("invalid mnemonic: {0}")]
    Other(String),
    /// No account, or more than [`MAX_DEV_ACCOUNTS`].
    #[error("{0} dev accounts requested: the devnet funds 1 to {MAX_DEV_ACCOUNTS}")]
    AccountCount(usize),
    /// The OS random source failed (`--mnemonic-random`).
    #[error("cannot read OS randomness for a new mnemonic: {0}")]
    Randomness(String),
}

/// Where the dev keys come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DevKeySource {
    /// The well-known keys of [`dev_keys`] (`keccak256` of a fixed string and the index).
    #[default]
    WellKnown,
    /// Keys derived from a BIP-39 mnemonic: seed with the empty passphrase, then SLIP-0010
    /// ed25519 along [`mnemonic_path`] (see [`mnemonic_keys`]).
    Mnemonic(Mnemonic),
}

impl DevKeySource {
    /// Parses a mnemonic (English BIP-39 words separated by white space).
    ///
    /// # Errors
    /// [`DevAccountsError::UnknownWord`], [`DevAccountsError::WordCount`],
    /// [`DevAccountsError::Checksum`], naming the problem.
    pub fn mnemonic(words: &str) -> Result<DevKeySource, DevAccountsError> {
        parse_mnemonic(words).map(DevKeySource::Mnemonic)
    }

    /// A new 12-word mnemonic from 128 bits of OS randomness.
    ///
    /// # Errors
    /// [`DevAccountsError::Randomness`] if the OS random source fails.
    pub fn random_mnemonic() -> Result<DevKeySource, DevAccountsError> {
        let mut entropy = [0u8; 16];
        getrandom::fill(&mut entropy).map_err(|e| DevAccountsError::Randomness(e.to_string()))?;
        Mnemonic::from_entropy_in(Language::English, &entropy)
            .map(DevKeySource::Mnemonic)
            .map_err(|e| DevAccountsError::Other(e.to_string()))
    }

    /// The source a CLI client signs with: the mnemonic in [`MNEMONIC_ENV`] if that is set
    /// and not blank, else the well-known keys.
    ///
    /// # Errors
    /// The variable holds an invalid mnemonic (or is not UTF-8).
    pub fn from_env() -> Result<DevKeySource, DevAccountsError> {
        match std::env::var(MNEMONIC_ENV) {
            Ok(words) if !words.trim().is_empty() => DevKeySource::mnemonic(&words),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(DevKeySource::WellKnown),
            Err(e) => Err(DevAccountsError::Other(format!("{MNEMONIC_ENV}: {e}"))),
        }
    }

    /// The first `n` keys of this source.
    pub fn keys(&self, n: usize) -> Vec<SigningKey> {
        match self {
            DevKeySource::WellKnown => dev_keys(n),
            DevKeySource::Mnemonic(m) => mnemonic_keys(m, n),
        }
    }

    /// Key `index` of this source; `None` from [`MAX_DEV_ACCOUNTS`] on.
    pub fn key(&self, index: usize) -> Option<SigningKey> {
        if index >= MAX_DEV_ACCOUNTS {
            return None;
        }
        match self {
            DevKeySource::WellKnown => dev_keys(index + 1).pop(),
            DevKeySource::Mnemonic(m) => {
                let seed = m.to_seed("");
                let index = u32::try_from(index).ok()?;
                Some(mnemonic_key(&seed, index))
            }
        }
    }
}

/// The devnet's funded accounts: where their keys come from, how many, and the genesis
/// balance of each. [`DevAccounts::default`] is the [`DEV_ACCOUNT_COUNT`] well-known keys
/// with [`DEV_BALANCE`] each, the genesis of [`ChainConfig::dev`].
///
/// Genesis balances are consensus: a data dir created with one set of accounts does not
/// open with another ([`crate::error::ChainError::GenesisMismatch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevAccounts {
    /// Where the keys come from.
    pub source: DevKeySource,
    /// Number of accounts, `1..=MAX_DEV_ACCOUNTS`.
    pub count: usize,
    /// Genesis balance of each account, in base units.
    pub balance: u128,
}

impl Default for DevAccounts {
    fn default() -> Self {
        DevAccounts {
            source: DevKeySource::WellKnown,
            count: DEV_ACCOUNT_COUNT,
            balance: DEV_BALANCE,
        }
    }
}

impl DevAccounts {
    /// `count` accounts from `source`, each funded with `balance` base units.
    ///
    /// # Errors
    /// [`DevAccountsError::AccountCount`] if `count` is 0 or above [`MAX_DEV_ACCOUNTS`].
    pub fn new(
        source: DevKeySource,
        count: usize,
        balance: u128,
    ) -> Result<DevAccounts, DevAccountsError> {
        if count == 0 || count > MAX_DEV_ACCOUNTS {
            return Err(DevAccountsError::AccountCount(count));
        }
        Ok(DevAccounts {
            source,
            count,
            balance,
        })
    }

    /// The accounts' keys, in index order.
    pub fn keys(&self) -> Vec<SigningKey> {
        self.source.keys(self.count)
    }

    /// Genesis entries: each account's address with [`DevAccounts::balance`].
    pub fn genesis_accounts(&self) -> Vec<(Address, u128)> {
        self.keys()
            .iter()
            .map(|k| (k.verifying_key().to_bytes(), self.balance))
            .collect()
    }
}

impl NodeConfig {
    /// Funds `accounts` at genesis instead of the default ones, and serves their keys in
    /// `dev_accounts`: sets both `chain.genesis_accounts` and `dev_keys`.
    pub fn set_dev_accounts(&mut self, accounts: &DevAccounts) {
        let keys = accounts.keys();
        self.chain.genesis_accounts = keys
            .iter()
            .map(|k| (k.verifying_key().to_bytes(), accounts.balance))
            .collect();
        self.dev_keys = keys;
    }
}

/// Parses English BIP-39 words (separated by white space, Unicode-normalized).
fn parse_mnemonic(words: &str) -> Result<Mnemonic, DevAccountsError> {
    Mnemonic::parse_in(Language::English, words).map_err(|e| match e {
        bip39::Error::UnknownWord(i) => DevAccountsError::UnknownWord {
            position: i + 1,
            word: words.split_whitespace().nth(i).unwrap_or("").to_owned(),
        },
        bip39::Error::BadWordCount(n) => DevAccountsError::WordCount(n),
        bip39::Error::InvalidChecksum => DevAccountsError::Checksum,
        other => DevAccountsError::Other(other.to_string()),
    })
}

/// The first `n` keys of `mnemonic`: its BIP-39 seed (empty passphrase), then SLIP-0010
/// ed25519 derivation along [`mnemonic_path`] for indices `0..n`. Indices from 2^31 on
/// do not exist (they would not be hardened); `n` is at most [`MAX_DEV_ACCOUNTS`] anyway.
pub fn mnemonic_keys(mnemonic: &Mnemonic, n: usize) -> Vec<SigningKey> {
    let seed = mnemonic.to_seed("");
    (0..n)
        .map_while(|i| u32::try_from(i).ok().filter(|i| *i < HARDENED))
        .map(|i| mnemonic_key(&seed, i))
        .collect()
}

/// First index of SLIP-0010's hardened half; child numbers below it are hardened by
/// adding it.
const HARDENED: u32 = 1 << 31;

/// SLIP-0010 ed25519 key at [`mnemonic_path`]`(index)` from a 64-byte BIP-39 seed.
/// `index` must be below 2^31.
fn mnemonic_key(seed: &[u8; 64], index: u32) -> SigningKey {
    let path = [44, MNEMONIC_COIN_TYPE, 0, 0, index].map(ChildIndex::Hardened);
    // Both steps fail only for a non-hardened index (every index here is hardened) and
    // are otherwise total: HMAC-SHA512 output is a valid ed25519 secret key.
    let key = ExtendedSigningKey::from_seed(seed)
        .and_then(|root| root.derive(&path))
        .expect("SLIP-0010 ed25519 derivation along hardened indices is total");
    key.signing_key
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

    /// Anvil's default mnemonic; valid BIP-39.
    const JUNK: &str = "test test test test test test test test test test test junk";

    fn hex32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// SLIP-0010 "Test vector 1 for ed25519": every step of chain
    /// m/0'/1'/2'/2'/1000000000' from seed 000102030405060708090a0b0c0d0e0f, through the
    /// derivation crate's one-step API, and the public key of the last step.
    #[test]
    fn slip10_ed25519_test_vector_1() {
        let seed = hex::decode("000102030405060708090a0b0c0d0e0f").unwrap();
        let steps: [(Option<u32>, &str, &str); 6] = [
            (
                None,
                "90046a93de5380a72b5e45010748567d5ea02bbf6522f979e05c0d8d8ca9fffb",
                "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7",
            ),
            (
                Some(0),
                "8b59aa11380b624e81507a27fedda59fea6d0b779a778918a2fd3590e16e9c69",
                "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
            ),
            (
                Some(1),
                "a320425f77d1b5c2505a6b1b27382b37368ee640e3557c315416801243552f14",
                "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
            ),
            (
                Some(2),
                "2e69929e00b5ab250f49c3fb1c12f252de4fed2c1db88387094a0f8c4c9ccd6c",
                "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9",
            ),
            (
                Some(2),
                "8f6d87f93d750e0efccda017d662a1b31a266e4a6f5993b15f5c1f07f74dd5cc",
                "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662",
            ),
            (
                Some(1_000_000_000),
                "68789923a0cac2cd5a29172a475fe9e0fb14cd6adb5ad98a3fa70333e7afa230",
                "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793",
            ),
        ];
        let mut node = ExtendedSigningKey::from_seed(&seed).unwrap();
        for (child, chain_code, private) in steps {
            if let Some(c) = child {
                node = node.derive_child(ChildIndex::Hardened(c)).unwrap();
            }
            assert_eq!(
                node.chain_code,
                hex32(chain_code),
                "chain code at {child:?}"
            );
            assert_eq!(
                node.signing_key.to_bytes(),
                hex32(private),
                "key at {child:?}"
            );
        }
        // The spec writes ed25519 public keys with a 0x00 prefix.
        assert_eq!(
            node.verifying_key().to_bytes(),
            hex32("3c24da049451555d51a7014a37337aa4e12d41e485abccfa46b47dfb2af54b7a")
        );
    }

    /// HMAC-SHA512 written out (RFC 2104), for an independent SLIP-0010 below.
    fn hmac_sha512(key: &[u8], data: &[&[u8]]) -> [u8; 64] {
        use sha2::{Digest, Sha512};
        let mut k = [0u8; 128];
        if key.len() > 128 {
            k[..64].copy_from_slice(&Sha512::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let mut inner = Sha512::new();
        inner.update(k.map(|b| b ^ 0x36));
        for d in data {
            inner.update(d);
        }
        let mut outer = Sha512::new();
        outer.update(k.map(|b| b ^ 0x5c));
        outer.update(inner.finalize());
        outer.finalize().into()
    }

    /// SLIP-0010 ed25519 private derivation as the spec words it, hardened indices only.
    fn slip10_by_hand(seed: &[u8], path: &[u32]) -> [u8; 32] {
        let i = hmac_sha512(b"ed25519 seed", &[seed]);
        let (mut key, mut chain): ([u8; 32], [u8; 32]) =
            (i[..32].try_into().unwrap(), i[32..].try_into().unwrap());
        for &index in path {
            let i = hmac_sha512(&chain, &[&[0], &key, &(index | HARDENED).to_be_bytes()]);
            key = i[..32].try_into().unwrap();
            chain = i[32..].try_into().unwrap();
        }
        key
    }

    /// BIP-39 seed: the first English vector of the reference implementation's test
    /// vectors (passphrase "TREZOR").
    #[test]
    fn bip39_seed_matches_reference_vector() {
        let m = parse_mnemonic(
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon \
             abandon about",
        )
        .unwrap();
        assert_eq!(
            hex::encode(m.to_seed("TREZOR")),
            "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d1\
             8264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"
        );
    }

    #[test]
    fn mnemonic_keys_are_fixed_and_follow_the_path() {
        let source = DevKeySource::mnemonic(JUNK).unwrap();
        let keys = source.keys(3);
        assert_eq!(keys.len(), 3);
        // Account 0 of Anvil's mnemonic at m/44'/1337'/0'/0'/0', as also computed outside
        // Rust (Python: hashlib.pbkdf2_hmac for the seed, hmac for SLIP-0010, the
        // `cryptography` package for the ed25519 public key).
        assert_eq!(
            hex::encode(keys[0].to_bytes()),
            "a63f9f9e232f4ea5cf4383a4e19eb7e4423a71c74f8e8cda818eab5d7d3d49db"
        );
        assert_eq!(
            hex::encode(keys[0].verifying_key().to_bytes()),
            "b95362e2a44551edc90f75c3bdcd9f41b665567baf619e3427d0e19308af8b03"
        );
        let DevKeySource::Mnemonic(m) = &source else {
            unreachable!()
        };
        let seed = m.to_seed("");
        for (i, k) in keys.iter().enumerate() {
            let i = u32::try_from(i).unwrap();
            let by_hand = slip10_by_hand(&seed, &[44, MNEMONIC_COIN_TYPE, 0, 0, i]);
            assert_eq!(k.to_bytes(), by_hand, "account {i}");
        }
        assert_eq!(source.key(2).unwrap().to_bytes(), keys[2].to_bytes());
        assert!(source.key(MAX_DEV_ACCOUNTS).is_none());
        assert_ne!(keys[0].to_bytes(), keys[1].to_bytes());
        assert_eq!(mnemonic_path("i"), "m/44'/1337'/0'/0'/i'");
        // Other white space between the words is the same mnemonic.
        assert_eq!(
            DevKeySource::mnemonic(&format!("  {}\n", JUNK.replace(' ', "   "))).unwrap(),
            source
        );
    }

    #[test]
    fn invalid_mnemonics_are_named_errors() {
        assert_eq!(
            DevKeySource::mnemonic("test test test test test test test test test test test jnuk"),
            Err(DevAccountsError::UnknownWord {
                position: 12,
                word: "jnuk".into()
            })
        );
        assert_eq!(
            DevKeySource::mnemonic("test test test"),
            Err(DevAccountsError::WordCount(3))
        );
        // Twelve valid words whose checksum is wrong.
        assert_eq!(
            DevKeySource::mnemonic("test test test test test test test test test test test test"),
            Err(DevAccountsError::Checksum)
        );
        let e =
            DevKeySource::mnemonic("test test test test test test test test test test test jnuk")
                .unwrap_err()
                .to_string();
        assert!(e.contains("word 12") && e.contains("jnuk"), "{e}");
    }

    #[test]
    fn random_mnemonics_are_new_and_valid() {
        let (DevKeySource::Mnemonic(a), DevKeySource::Mnemonic(b)) = (
            DevKeySource::random_mnemonic().unwrap(),
            DevKeySource::random_mnemonic().unwrap(),
        ) else {
            panic!("random_mnemonic gives a mnemonic")
        };
        assert_eq!(a.word_count(), 12);
        assert_ne!(a, b);
        assert_eq!(parse_mnemonic(&a.to_string()).unwrap(), a);
    }

    #[test]
    fn account_count_and_default_genesis() {
        assert_eq!(
            DevAccounts::new(DevKeySource::WellKnown, 0, 1),
            Err(DevAccountsError::AccountCount(0))
        );
        assert!(DevAccounts::new(DevKeySource::WellKnown, MAX_DEV_ACCOUNTS + 1, 1).is_err());
        let d = DevAccounts::default();
        assert_eq!(
            d.genesis_accounts(),
            ChainConfig::dev("unused").genesis_accounts
        );
        let mut config = NodeConfig::dev("unused");
        let custom = DevAccounts::new(DevKeySource::mnemonic(JUNK).unwrap(), 3, 7).unwrap();
        config.set_dev_accounts(&custom);
        assert_eq!(config.chain.genesis_accounts, custom.genesis_accounts());
        assert_eq!(config.dev_keys.len(), 3);
        assert_eq!(
            config.dev_keys[1].to_bytes(),
            custom.source.key(1).unwrap().to_bytes()
        );
    }
}
