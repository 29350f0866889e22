//! Canonical JSON written straight from typed values: the bytes of
//! `serde_json::to_string(&serde_json::to_value(v))` (object keys sorted by their UTF-8 bytes,
//! compact, non-ASCII left as it is), without building the `serde_json::Value` tree.
//!
//! Each object is written where it stands, its members in the order the type gives them; when
//! that order is not sorted, the object's bytes are put in order once it is complete (one copy
//! of that object's bytes, no allocation per member). Strings, numbers and escapes are written
//! by serde_json itself, so they are byte for byte those of the tree.
//!
//! What the tree path accepts and this writer does not (128-bit integers, map keys that are
//! not strings, integers, booleans or unit variants, a map with a key twice) is an error here:
//! [`to_vec`] then falls back to the tree, so the bytes are the same either way.

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Why the writer could not write a value (the caller falls back to the tree).
#[derive(Debug)]
pub struct Unsupported(String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, Unsupported>;

/// The canonical bytes of `value`.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut w = Writer::default();
    match value.serialize(&mut w) {
        Ok(()) => w.out,
        Err(_) => by_tree(value).into_bytes(),
    }
}

/// The canonical text of `value`.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    String::from_utf8(to_vec(value)).expect("JSON text is UTF-8")
}

/// The canonical bytes of an object handed over member by member (to a hasher), for a value
/// too large to hold whole: each member's value is written by [`to_vec`], and a sequence
/// element by element ([`Members::seq`]), so only one member or element is held at a time.
/// The bytes are those of [`to_vec`] of the whole object. The members must be given in
/// canonical order, keys sorted by their UTF-8 bytes: one out of order is a programming error
/// and panics (the bytes would not be canonical).
pub struct Members<'a> {
    out: &'a mut dyn FnMut(&[u8]),
    last: Option<&'a str>,
}

impl<'a> Members<'a> {
    /// Opens the object.
    pub fn new(out: &'a mut dyn FnMut(&[u8])) -> Self {
        out(b"{");
        Members { out, last: None }
    }

    fn key(&mut self, key: &'a str) {
        if let Some(last) = self.last {
            assert!(
                last.as_bytes() < key.as_bytes(),
                "canonical members out of order: {last:?} before {key:?}"
            );
            (self.out)(b",");
        }
        (self.out)(&to_vec(key));
        (self.out)(b":");
        self.last = Some(key);
    }

    /// `"key":value`.
    pub fn member<T: Serialize + ?Sized>(&mut self, key: &'a str, value: &T) {
        self.key(key);
        (self.out)(&to_vec(value));
    }

    /// `"key":[item,…]`, an item at a time.
    pub fn seq<T: Serialize>(&mut self, key: &'a str, items: &[T]) {
        self.key(key);
        (self.out)(b"[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                (self.out)(b",");
            }
            (self.out)(&to_vec(item));
        }
        (self.out)(b"]");
    }

    /// Closes the object.
    pub fn end(self) {
        (self.out)(b"}");
    }
}

/// The reference: through `serde_json::Value` (whose objects are `BTreeMap`s).
pub fn by_tree<T: Serialize + ?Sized>(value: &T) -> String {
    let v = serde_json::to_value(value).expect("values serialise");
    serde_json::to_string(&v).expect("a JSON value serialises")
}

/// The writer only: `Err` where [`to_vec`] would fall back (for the tests).
pub fn try_to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut w = Writer::default();
    value.serialize(&mut w)?;
    Ok(w.out)
}

enum Key {
    Static(&'static str),
    Owned(String),
}

impl Key {
    fn as_str(&self) -> &str {
        match self {
            Key::Static(s) => s,
            Key::Owned(s) => s,
        }
    }
}

/// One member of an open object: its key and where `"key":value` lies in `out`.
struct Member {
    key: Key,
    start: usize,
    end: usize,
}

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    /// The members of every open object, innermost last.
    members: Vec<Member>,
    /// Where a completed unsorted object's bytes wait while they are put in order.
    scratch: Vec<u8>,
}

impl Writer {
    fn json<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<()> {
        serde_json::to_writer(&mut self.out, v).map_err(|e| Unsupported(e.to_string()))
    }

    fn begin_object(&mut self) -> Compound<'_> {
        self.out.push(b'{');
        Compound {
            start: self.out.len(),
            base: self.members.len(),
            first: true,
            key: None,
            close: b"}",
            w: self,
        }
    }

    fn begin_array(&mut self, close: &'static [u8]) -> Compound<'_> {
        self.out.push(b'[');
        Compound {
            start: self.out.len(),
            base: self.members.len(),
            first: true,
            key: None,
            close,
            w: self,
        }
    }

    /// `{"variant":` — the caller closes it.
    fn begin_variant(&mut self, variant: &'static str) -> Result<()> {
        self.out.push(b'{');
        self.json(variant)?;
        self.out.push(b':');
        Ok(())
    }
}

struct Compound<'a> {
    w: &'a mut Writer,
    /// Where the first member starts (just after the opening bracket).
    start: usize,
    /// The first of this object's entries in `w.members`.
    base: usize,
    first: bool,
    /// A map's key waiting for its value.
    key: Option<String>,
    /// What closes it: `]`, `}`, or `]}` / `}}` for a variant.
    close: &'static [u8],
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.comma();
        value.serialize(&mut *self.w)
    }

    fn member<T: Serialize + ?Sized>(&mut self, key: Key, value: &T) -> Result<()> {
        self.comma();
        let start = self.w.out.len();
        self.w.json(key.as_str())?;
        self.w.out.push(b':');
        value.serialize(&mut *self.w)?;
        let end = self.w.out.len();
        self.w.members.push(Member { key, start, end });
        Ok(())
    }

    fn end_array(self) -> Result<()> {
        self.w.out.extend_from_slice(self.close);
        Ok(())
    }

    fn end_object(self) -> Result<()> {
        let w = self.w;
        let members = &mut w.members[self.base..];
        let sorted = members
            .windows(2)
            .all(|p| p[0].key.as_str() < p[1].key.as_str());
        if !sorted {
            members.sort_unstable_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
            if members
                .windows(2)
                .any(|p| p[0].key.as_str() == p[1].key.as_str())
            {
                return Err(Unsupported("a key twice in one object".into()));
            }
            // The largest member is moved once within `out`; only the others wait in
            // `scratch` (issue 12: at a million entities a preparation's `entities` are 80 MB
            // of its 155, and a copy of the whole object was the preparation's peak). The
            // members keep their lengths and commas, so the object keeps its length.
            let len = |m: &Member| m.end - m.start;
            let largest = (0..members.len())
                .max_by_key(|&i| len(&members[i]))
                .unwrap_or(0);
            w.scratch.clear();
            w.scratch
                .reserve(w.out.len() - self.start - len(&members[largest]));
            for (i, m) in members.iter().enumerate() {
                if i != largest {
                    w.scratch.extend_from_slice(&w.out[m.start..m.end]);
                }
            }
            let before: usize = members[..largest].iter().map(|m| len(m) + 1).sum();
            let big = &members[largest];
            w.out.copy_within(big.start..big.end, self.start + before);
            let (mut at, mut from) = (self.start, 0);
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    w.out[at] = b',';
                    at += 1;
                }
                if i != largest {
                    w.out[at..at + len(m)].copy_from_slice(&w.scratch[from..from + len(m)]);
                    from += len(m);
                }
                at += len(m);
            }
            debug_assert_eq!(at, w.out.len());
        }
        w.members.truncate(self.base);
        w.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.json(&v)
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.json(&v)
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.json(&v)
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.json(&v)
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.json(&v)
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.json(&v)
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.json(&v)
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.json(&v)
    }
    fn serialize_i128(self, _: i128) -> Result<()> {
        Err(Unsupported("128-bit integer".into()))
    }
    fn serialize_u128(self, _: u128) -> Result<()> {
        Err(Unsupported("128-bit integer".into()))
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        // The tree keeps an f32 as the f64 it widens to.
        self.json(&f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        self.json(&v)
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.json(&v)
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        self.json(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        self.json(v)
    }
    fn serialize_none(self) -> Result<()> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<()> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<()> {
        self.json(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        self.begin_variant(variant)?;
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.begin_array(b"]"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>> {
        Ok(self.begin_array(b"]"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>> {
        Ok(self.begin_array(b"]"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>> {
        self.begin_variant(variant)?;
        Ok(self.begin_array(b"]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>> {
        Ok(self.begin_object())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>> {
        Ok(self.begin_object())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>> {
        self.begin_variant(variant)?;
        let mut c = self.begin_object();
        c.close = b"}}";
        Ok(c)
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.end_array()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.end_array()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.end_array()
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.element(value)
    }
    fn end(self) -> Result<()> {
        self.end_array()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(KeyText)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Unsupported("a value without a key".into()))?;
        self.member(Key::Owned(key), value)
    }
    fn end(self) -> Result<()> {
        self.end_object()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.member(Key::Static(key), value)
    }
    fn end(self) -> Result<()> {
        self.end_object()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.member(Key::Static(key), value)
    }
    fn end(self) -> Result<()> {
        self.end_object()
    }
}

/// A map key as the tree makes it: strings as they are, integers, booleans and unit variants
/// as their text. Anything else is left to the tree.
struct KeyText;

fn no_key<T>() -> Result<T> {
    Err(Unsupported(
        "a map key the writer leaves to the tree".into(),
    ))
}

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = Unsupported;
    type SerializeSeq = Impossible<String, Unsupported>;
    type SerializeTuple = Impossible<String, Unsupported>;
    type SerializeTupleStruct = Impossible<String, Unsupported>;
    type SerializeTupleVariant = Impossible<String, Unsupported>;
    type SerializeMap = Impossible<String, Unsupported>;
    type SerializeStruct = Impossible<String, Unsupported>;
    type SerializeStructVariant = Impossible<String, Unsupported>;

    fn serialize_bool(self, v: bool) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _: f32) -> Result<String> {
        no_key()
    }
    fn serialize_f64(self, _: f64) -> Result<String> {
        no_key()
    }
    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String> {
        no_key()
    }
    fn serialize_none(self) -> Result<String> {
        no_key()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String> {
        no_key()
    }
    fn serialize_unit(self) -> Result<String> {
        no_key()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String> {
        no_key()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String> {
        no_key()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        no_key()
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        no_key()
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        no_key()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        no_key()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        no_key()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        no_key()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        no_key()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use proptest::prelude::*;
    use serde::Serialize;

    use super::*;

    #[derive(Serialize, Clone, Debug)]
    enum Kind {
        Unit,
        New(String),
        Pair(u8, String),
        Shape { zeta: i64, alpha: Vec<String> },
    }

    #[derive(Serialize, Clone, Debug)]
    struct Inner {
        zz: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        mid: Option<u32>,
        aa: Vec<String>,
        #[serde(rename = "in")]
        into: bool,
    }

    #[derive(Serialize, Clone, Debug)]
    struct Outer {
        period: String,
        algorithm: String,
        inner: Vec<Inner>,
        tuple: (i32, String),
        kinds: Vec<Kind>,
        map: HashMap<String, u64>,
        nums: BTreeMap<u32, Option<String>>,
        f: f32,
        g: f64,
        none: Option<String>,
        c: char,
    }

    fn text() -> impl Strategy<Value = String> {
        // ASCII, controls, quotes and backslashes, Chinese, full-width digits, astral planes.
        prop::collection::vec(
            prop_oneof![
                any::<char>(),
                prop::sample::select(vec!['"', '\\', '\n', '\u{1}', '\u{7f}', '沁', '９', '😀']),
                prop::char::range('a', 'z'),
            ],
            0..12,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn inner() -> impl Strategy<Value = Inner> {
        (
            text(),
            any::<Option<u32>>(),
            prop::collection::vec(text(), 0..4),
            any::<bool>(),
        )
            .prop_map(|(zz, mid, aa, into)| Inner { zz, mid, aa, into })
    }

    fn kind() -> impl Strategy<Value = Kind> {
        prop_oneof![
            Just(Kind::Unit),
            text().prop_map(Kind::New),
            (any::<u8>(), text()).prop_map(|(a, b)| Kind::Pair(a, b)),
            (any::<i64>(), prop::collection::vec(text(), 0..3))
                .prop_map(|(zeta, alpha)| Kind::Shape { zeta, alpha }),
        ]
    }

    fn outer() -> impl Strategy<Value = Outer> {
        (
            (text(), text(), prop::collection::vec(inner(), 0..4)),
            (any::<i32>(), text(), prop::collection::vec(kind(), 0..4)),
            prop::collection::hash_map(text(), any::<u64>(), 0..5),
            prop::collection::btree_map(any::<u32>(), prop::option::of(text()), 0..4),
            (any::<f32>(), any::<f64>(), any::<char>()),
        )
            .prop_map(
                |((period, algorithm, inner), (i, s, kinds), map, nums, (f, g, c))| Outer {
                    period,
                    algorithm,
                    inner,
                    tuple: (i, s),
                    kinds,
                    map,
                    nums,
                    f,
                    g,
                    none: None,
                    c,
                },
            )
    }

    /// An object written out of order, as a map in the order given.
    struct Pairs(Vec<(&'static str, String)>);

    impl Serialize for Pairs {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
        }
    }

    /// The largest member, moved within the text while the others wait aside, lands in its
    /// place wherever it stood in the written order and falls in the sorted one.
    #[test]
    fn the_largest_member_lands_in_its_place_wherever_it_was() {
        for big in 0..4 {
            for written in [
                ["d", "b", "a", "c"],
                ["c", "a", "d", "b"],
                ["b", "d", "c", "a"],
            ] {
                let pairs = Pairs(
                    written
                        .iter()
                        .enumerate()
                        .map(|(i, k)| {
                            let n = if i == big { 50 } else { 1 + i };
                            (*k, k.repeat(n))
                        })
                        .collect(),
                );
                let direct = String::from_utf8(try_to_vec(&pairs).unwrap()).unwrap();
                assert_eq!(
                    direct,
                    by_tree(&pairs),
                    "largest written {big}th of {written:?}"
                );
                assert!(direct.starts_with(r#"{"a":"#) && direct.ends_with("\"}"));
            }
        }
    }

    proptest! {
        #[test]
        fn the_writer_gives_the_trees_bytes(v in outer()) {
            let direct = try_to_vec(&v).expect("the writer takes these types");
            prop_assert_eq!(String::from_utf8(direct).unwrap(), by_tree(&v));
        }
    }

    /// `Outer` handed over member by member, in canonical order.
    fn by_members(v: &Outer) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut out = |b: &[u8]| bytes.extend_from_slice(b);
        let mut m = Members::new(&mut out);
        m.member("algorithm", &v.algorithm);
        m.member("c", &v.c);
        m.member("f", &v.f);
        m.member("g", &v.g);
        m.seq("inner", &v.inner);
        m.seq("kinds", &v.kinds);
        m.member("map", &v.map);
        m.member("none", &v.none);
        m.member("nums", &v.nums);
        m.member("period", &v.period);
        m.member("tuple", &v.tuple);
        m.end();
        bytes
    }

    proptest! {
        #[test]
        fn members_handed_over_give_the_whole_objects_bytes(v in outer()) {
            prop_assert_eq!(String::from_utf8(by_members(&v)).unwrap(), to_string(&v));
        }
    }

    #[test]
    #[should_panic(expected = "out of order")]
    fn members_out_of_order_are_refused() {
        let mut out = |_: &[u8]| {};
        let mut m = Members::new(&mut out);
        m.member("seed_parts", &1);
        m.member("seed", &2);
    }

    #[test]
    fn keys_sort_by_bytes_not_by_their_escapes() {
        // '"' (0x22) sorts before '#' (0x23) as text, after it once escaped as `\"`.
        let mut m = HashMap::new();
        m.insert("a#".to_string(), 1);
        m.insert("a\"".to_string(), 2);
        m.insert("B".to_string(), 3);
        m.insert("沁".to_string(), 4);
        assert_eq!(to_string(&m), by_tree(&m));
        assert_eq!(to_string(&m), r#"{"B":3,"a\"":2,"a#":1,"沁":4}"#);
    }

    #[test]
    fn what_the_writer_leaves_falls_back_to_the_tree() {
        let mut m = BTreeMap::new();
        m.insert("x", 1u128);
        assert!(try_to_vec(&m).is_err());
        assert_eq!(to_string(&m), by_tree(&m));
    }
}
