//! [`RuleList`]: the rule IDs behind one decision, in pipeline order, held inline (no allocation
//! per decision). It reads like a `&[RuleId]` (it derefs to one), prints and serializes like a list.
//!
//! ```
//! use edgeconform_core::{RuleId, RuleList};
//! let rules = RuleList::from([RuleId::PatOrder, RuleId::VppPerBehavior]);
//! assert_eq!(rules.len(), 2);
//! assert!(rules.contains(&RuleId::PatOrder));
//! assert_eq!(format!("{rules:?}"), "[PatOrder, VppPerBehavior]");
//! ```

use crate::RuleId;
use serde::Serialize;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Up to [`RuleList::CAPACITY`] rule IDs, in the order they were added.
#[derive(Clone, Copy)]
pub struct RuleList {
    len: u8,
    /// `ids[..len]` are the rules; the rest is filler and never read.
    ids: [RuleId; RuleList::CAPACITY],
}

impl RuleList {
    /// The longest list `decide()` builds is 8 (three for behavior selection, then five for a
    /// redirect or a forward); see the comments there.
    pub const CAPACITY: usize = 8;

    /// An empty list.
    pub const fn new() -> RuleList {
        RuleList {
            len: 0,
            ids: [RuleId::PatOrder; RuleList::CAPACITY],
        }
    }

    /// The rules, in order.
    pub fn as_slice(&self) -> &[RuleId] {
        &self.ids[..usize::from(self.len)]
    }

    /// Appends a rule. Panics past [`RuleList::CAPACITY`], which `decide()` never reaches.
    #[inline]
    pub(crate) fn push(&mut self, rule: RuleId) {
        self.ids[usize::from(self.len)] = rule;
        self.len += 1;
    }

    /// Appends rules in order.
    #[inline(always)]
    pub(crate) fn extend(&mut self, rules: &[RuleId]) {
        for &r in rules {
            self.push(r);
        }
    }
}

impl Default for RuleList {
    fn default() -> RuleList {
        RuleList::new()
    }
}

impl<const N: usize> From<[RuleId; N]> for RuleList {
    fn from(rules: [RuleId; N]) -> RuleList {
        const { assert!(N <= RuleList::CAPACITY, "more rules than a RuleList holds") };
        let mut list = RuleList::new();
        list.extend(&rules);
        list
    }
}

impl Deref for RuleList {
    type Target = [RuleId];
    fn deref(&self) -> &[RuleId] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a RuleList {
    type Item = &'a RuleId;
    type IntoIter = std::slice::Iter<'a, RuleId>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl PartialEq for RuleList {
    fn eq(&self, other: &RuleList) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for RuleList {}

impl PartialEq<[RuleId]> for RuleList {
    fn eq(&self, other: &[RuleId]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<Vec<RuleId>> for RuleList {
    fn eq(&self, other: &Vec<RuleId>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Hash for RuleList {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for RuleList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl Serialize for RuleList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_the_vec_it_replaces() {
        let ids = [RuleId::PatOrder, RuleId::PatNormalize, RuleId::LocHost];
        let list = RuleList::from(ids);
        let vec = ids.to_vec();
        assert_eq!(list.as_slice(), vec.as_slice());
        assert_eq!(list, vec);
        assert_eq!(format!("{list:?}"), format!("{vec:?}"));
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            serde_json::to_string(&vec).unwrap()
        );
        assert_eq!(list.iter().count(), 3);
        assert_eq!(list.to_vec(), vec);
        // Filler beyond the length plays no part in equality.
        let mut other = RuleList::from([RuleId::PatOrder, RuleId::PatNormalize]);
        other.push(RuleId::LocHost);
        assert_eq!(list, other);
        assert_ne!(list, RuleList::from([RuleId::PatOrder]));
        assert!(RuleList::new().is_empty());
        assert_eq!(RuleList::default(), RuleList::from([]));
    }

    #[test]
    fn holds_its_capacity() {
        let mut list = RuleList::new();
        for _ in 0..RuleList::CAPACITY {
            list.push(RuleId::LocEdgeOnly);
        }
        assert_eq!(list.len(), RuleList::CAPACITY);
    }
}
