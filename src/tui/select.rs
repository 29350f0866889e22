//! Selections are ids, not row numbers. When a list is replaced (a reload, a re-sort, a filter,
//! another user's change), the cursor follows the row's key; when that row is gone, it takes
//! the nearest row of the old list that is still there, and the caller says so.

/// Where the cursor goes in a replaced list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// The same row, now at this index.
    Same(usize),
    /// The row at `lost` in the old list is gone; the cursor is on the nearest one left.
    Nearest { index: usize, lost: usize },
    /// Nothing was selected before (the old list was empty), or nothing is left.
    Fresh(usize),
}

impl Kept {
    pub fn index(self) -> usize {
        match self {
            Kept::Same(i) | Kept::Nearest { index: i, .. } | Kept::Fresh(i) => i,
        }
    }
}

/// The new index of the row `old[sel]` in `new`, by key. When it is gone: the nearest row of
/// `old` (after it first, then before it, stepping outwards) that `new` still has; failing
/// that, the same position within the new length.
pub fn reselect<K: PartialEq>(old: &[K], sel: usize, new: &[K]) -> Kept {
    let clamp = sel.min(new.len().saturating_sub(1));
    let Some(key) = old.get(sel) else {
        return Kept::Fresh(clamp);
    };
    let find = |k: &K| new.iter().position(|n| n == k);
    if let Some(i) = find(key) {
        return Kept::Same(i);
    }
    if new.is_empty() {
        return Kept::Fresh(0);
    }
    for d in 1..old.len() {
        let candidates = [sel.checked_add(d), sel.checked_sub(d)];
        for i in candidates.into_iter().flatten() {
            if let Some(at) = old.get(i).and_then(find) {
                return Kept::Nearest {
                    index: at,
                    lost: sel,
                };
            }
        }
    }
    Kept::Nearest {
        index: clamp,
        lost: sel,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_follows_its_row_through_a_re_sort() {
        // 273 moved from the third row to the first.
        assert_eq!(
            reselect(&[260, 261, 273], 2, &[273, 260, 261]),
            Kept::Same(0)
        );
    }

    #[test]
    fn a_row_gone_gives_the_nearest_row_still_there() {
        // 273 is gone; 298 after it is nearer than 261 before it (after first).
        let k = reselect(&[261, 273, 298], 1, &[298, 261]);
        assert_eq!(k, Kept::Nearest { index: 0, lost: 1 });
        // Nothing after it is left: the one before.
        let k = reselect(&[261, 273, 298], 1, &[261]);
        assert_eq!(k, Kept::Nearest { index: 0, lost: 1 });
        // None of the old rows is left: the same position, clamped.
        let k = reselect(&[1, 2, 3], 2, &[7, 8]);
        assert_eq!(k, Kept::Nearest { index: 1, lost: 2 });
    }

    #[test]
    fn a_first_load_or_an_empty_list_is_no_loss() {
        assert_eq!(reselect::<i64>(&[], 0, &[1, 2]), Kept::Fresh(0));
        assert_eq!(reselect(&[1], 0, &[]), Kept::Fresh(0));
    }
}
