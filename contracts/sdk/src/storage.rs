//! Storage primitives: typed views over the contract's key-value storage, with SCALE
//! encoded values.
//!
//! A `#[contract]` state struct holds one primitive per field. Each field owns the keys
//! that start with its prefix, the SCALE encoding of the field's name (a compact length,
//! then the UTF-8 bytes: `"supply"` is `0x18 "supply"`). The length makes the prefixes of
//! two fields never a prefix of one another, so fields cannot collide:
//!
//! | primitive | keys | values |
//! |---|---|---|
//! | [`Lazy<T>`] | `prefix` | `SCALE(T)` |
//! | [`Mapping<K, V>`] | `prefix ++ SCALE(K)` | `SCALE(V)` |
//! | [`StorageVec<T>`] | `prefix` (the length, `u32` LE), `prefix ++ u32 LE index` | `SCALE(T)` |
//!
//! Nothing is cached: every `get` is a `storage_read` and every `set` a
//! `storage_write`, so the gas of a method is what its code says. Keys longer than
//! [`MAX_KEY_LEN`](crate::MAX_KEY_LEN) and values longer than
//! [`MAX_VALUE_LEN`](crate::MAX_VALUE_LEN) trap; a stored value that does not decode as
//! the field's type aborts the call with `"corrupt storage"`.

use core::marker::PhantomData;

use parity_scale_codec::{Decode, Encode};

use crate::buf::{decode_exact, Buf};

/// A storage primitive that a `#[contract]` struct field can be.
pub trait StorageField {
    /// What kind of primitive it is (recorded in the metadata's storage layout).
    const KIND: FieldKind;
    /// The primitive owning the keys under `prefix`.
    fn at(prefix: &'static [u8]) -> Self;
}

/// The kind of a storage field, for the metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// [`Lazy`]: one value.
    Lazy,
    /// [`Mapping`]: values by key.
    Mapping,
    /// [`StorageVec`]: a length and values by index.
    Vec,
}

impl FieldKind {
    /// `"lazy"`, `"mapping"` or `"vec"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Lazy => "lazy",
            FieldKind::Mapping => "mapping",
            FieldKind::Vec => "vec",
        }
    }
}

/// One field of a contract's storage layout.
#[derive(Clone, Copy, Debug)]
pub struct FieldLayout {
    /// The field's name.
    pub name: &'static str,
    /// Its key prefix (SCALE of the name).
    pub prefix: &'static [u8],
    /// Its primitive.
    pub kind: FieldKind,
}

/// The state struct of a contract, implemented by `#[contract]`.
pub trait ContractState: Sized {
    /// The state, with every field at its prefix (reads nothing).
    fn load() -> Self;
    /// The storage layout, in field order.
    const LAYOUT: &'static [FieldLayout];
}

/// Values up to this size are read with one `storage_read`; longer ones take a second
/// read into a buffer of their size.
const READ_GUESS: usize = 128;

/// The bytes stored under `key`. Not generic: one copy serves every value type.
#[inline(never)]
fn read_raw(key: &[u8]) -> Option<Buf> {
    let mut buf = Buf::zeroed(READ_GUESS);
    let len = crate::storage_read_into(key, buf.as_mut_slice())?;
    if len <= READ_GUESS {
        buf.truncate(len);
    } else {
        buf = Buf::zeroed(len);
        // The value cannot change between the two reads (a call runs alone).
        crate::storage_read_into(key, buf.as_mut_slice())?;
    }
    Some(buf)
}

/// Reads and decodes the value under `key`; aborts with `"corrupt storage"` if it does
/// not decode as `T` exactly.
fn read<T: Decode>(key: &[u8]) -> Option<T> {
    let raw = read_raw(key)?;
    match decode_exact(raw.as_slice()) {
        Some(v) => Some(v),
        None => corrupt(),
    }
}

#[cold]
fn corrupt() -> ! {
    crate::abort("corrupt storage")
}

fn write<T: Encode + ?Sized>(key: &[u8], value: &T) {
    crate::storage_write(key, Buf::encode(value).as_slice())
}

/// `prefix ++ SCALE(k)`.
fn key_of<K: Encode + ?Sized>(prefix: &[u8], k: &K) -> Buf {
    let mut key = Buf::with_capacity(prefix.len() + k.size_hint());
    key.extend(prefix);
    k.encode_to(&mut key);
    key
}

/// One stored value of type `T`, read when asked for.
pub struct Lazy<T> {
    prefix: &'static [u8],
    _ty: PhantomData<fn() -> T>,
}

impl<T> StorageField for Lazy<T> {
    const KIND: FieldKind = FieldKind::Lazy;
    fn at(prefix: &'static [u8]) -> Self {
        Lazy {
            prefix,
            _ty: PhantomData,
        }
    }
}

impl<T: Encode + Decode> Lazy<T> {
    /// The stored value, or `None` if it was never set (or was removed).
    ///
    /// One `storage_read`.
    #[inline]
    pub fn get(&self) -> Option<T> {
        read(self.prefix)
    }

    /// The stored value, or `T::default()` if absent.
    #[inline]
    pub fn get_or_default(&self) -> T
    where
        T: Default,
    {
        self.get().unwrap_or_default()
    }

    /// Stores `value`. One `storage_write`.
    #[inline]
    pub fn set(&mut self, value: &T) {
        write(self.prefix, value)
    }

    /// Removes the value. One `storage_remove`.
    #[inline]
    pub fn remove(&mut self) {
        crate::storage_remove(self.prefix)
    }
}

/// Values of type `V` by keys of type `K`.
pub struct Mapping<K, V> {
    prefix: &'static [u8],
    _ty: PhantomData<fn() -> (K, V)>,
}

impl<K, V> StorageField for Mapping<K, V> {
    const KIND: FieldKind = FieldKind::Mapping;
    fn at(prefix: &'static [u8]) -> Self {
        Mapping {
            prefix,
            _ty: PhantomData,
        }
    }
}

impl<K: Encode, V: Encode + Decode> Mapping<K, V> {
    /// The value under `key`, or `None`. One `storage_read`.
    #[inline]
    pub fn get(&self, key: &K) -> Option<V> {
        read(key_of(self.prefix, key).as_slice())
    }

    /// The value under `key`, or `V::default()` if absent.
    #[inline]
    pub fn get_or_default(&self, key: &K) -> V
    where
        V: Default,
    {
        self.get(key).unwrap_or_default()
    }

    /// Whether `key` has a value. One `storage_read` that copies nothing.
    #[inline]
    pub fn contains(&self, key: &K) -> bool {
        crate::storage_read_into(key_of(self.prefix, key).as_slice(), &mut []).is_some()
    }

    /// Stores `value` under `key`. One `storage_write`.
    #[inline]
    pub fn insert(&mut self, key: &K, value: &V) {
        write(key_of(self.prefix, key).as_slice(), value)
    }

    /// Removes the value under `key`. One `storage_remove`.
    #[inline]
    pub fn remove(&mut self, key: &K) {
        crate::storage_remove(key_of(self.prefix, key).as_slice())
    }
}

/// A vector of `T` in storage: its length under the prefix, element `i` under
/// `prefix ++ u32 LE i`.
pub struct StorageVec<T> {
    prefix: &'static [u8],
    _ty: PhantomData<fn() -> T>,
}

impl<T> StorageField for StorageVec<T> {
    const KIND: FieldKind = FieldKind::Vec;
    fn at(prefix: &'static [u8]) -> Self {
        StorageVec {
            prefix,
            _ty: PhantomData,
        }
    }
}

impl<T: Encode + Decode> StorageVec<T> {
    fn element_key(&self, index: u32) -> Buf {
        let mut key = Buf::with_capacity(self.prefix.len() + 4);
        key.extend(self.prefix);
        key.extend(&index.to_le_bytes());
        key
    }

    /// The number of elements. One `storage_read`.
    pub fn len(&self) -> u32 {
        read::<u32>(self.prefix).unwrap_or(0)
    }

    /// Whether the vector is empty. One `storage_read`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `index`, or `None` past the end. Two `storage_read`s.
    #[inline]
    pub fn get(&self, index: u32) -> Option<T> {
        if index >= self.len() {
            return None;
        }
        read(self.element_key(index).as_slice())
    }

    /// Appends `value`. One read and two writes. Aborts with `"storage vec full"` at
    /// `u32::MAX` elements.
    pub fn push(&mut self, value: &T) {
        let len = self.len();
        let next = crate::require(len.checked_add(1), "storage vec full");
        write(self.element_key(len).as_slice(), value);
        write(self.prefix, &next);
    }

    /// Removes and returns the last element, or `None` if empty.
    pub fn pop(&mut self) -> Option<T> {
        let len = self.len();
        let last = len.checked_sub(1)?;
        let key = self.element_key(last);
        let value = read(key.as_slice());
        crate::storage_remove(key.as_slice());
        write(self.prefix, &last);
        value
    }

    /// Replaces element `index`; aborts with `"index out of bounds"` past the end.
    #[inline]
    pub fn set(&mut self, index: u32, value: &T) {
        if index >= self.len() {
            crate::abort("index out of bounds");
        }
        write(self.element_key(index).as_slice(), value);
    }
}
