//! Rows of a few strings each, packed into one text. A build holds some lists of small rows for
//! a long while or in great number (every 文号 of a province for the whole run, a year's bag
//! listing while its bag is made): as strings, each row costs three allocations and their
//! headers, and the small allocations left among what the build frees keep whole pages of it
//! resident. Packed, a list is two allocations however long it is.

/// Rows of `N` strings.
#[derive(Debug, Clone)]
pub struct Rows<const N: usize> {
    text: String,
    /// Each row's start in `text` and the end of each of its fields.
    rows: Vec<(usize, [usize; N])>,
}

impl<const N: usize> Default for Rows<N> {
    fn default() -> Self {
        Rows {
            text: String::new(),
            rows: Vec::new(),
        }
    }
}

impl<const N: usize> Rows<N> {
    /// Room for `rows` rows of `text` bytes in all: a list of known length grows without
    /// doubling (when a big one doubles, the old and the new buffer are held at once).
    pub fn with_capacity(rows: usize, text: usize) -> Self {
        Rows {
            text: String::with_capacity(text),
            rows: Vec::with_capacity(rows),
        }
    }

    pub fn push(&mut self, fields: [&str; N]) {
        let start = self.text.len();
        let mut ends = [0; N];
        for (end, field) in ends.iter_mut().zip(fields) {
            self.text.push_str(field);
            *end = self.text.len();
        }
        self.rows.push((start, ends));
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn fields(&self, (start, ends): &(usize, [usize; N])) -> [&str; N] {
        let mut from = *start;
        ends.map(|end| {
            let field = self.text.get(from..end).unwrap_or_default();
            from = end;
            field
        })
    }

    /// The rows in their order.
    pub fn iter(&self) -> impl Iterator<Item = [&str; N]> + '_ {
        self.rows.iter().map(|r| self.fields(r))
    }

    /// Sorted by their first `k` fields, rows equal in those in the order they were pushed.
    pub fn sort_by_first(&mut self, k: usize) {
        let mut rows = std::mem::take(&mut self.rows);
        rows.sort_by(|a, b| self.fields(a)[..k].cmp(&self.fields(b)[..k]));
        self.rows = rows;
    }

    /// Sorted by their first `k` fields, and of rows equal in those only the last pushed.
    pub fn sort_keeping_last(&mut self, k: usize) {
        // Stable: reversed first, the last pushed of equal rows comes first of its run, and
        // `dedup_by` keeps the first of a run.
        self.rows.reverse();
        self.sort_by_first(k);
        let mut rows = std::mem::take(&mut self.rows);
        rows.dedup_by(|b, a| self.fields(a)[..k] == self.fields(b)[..k]);
        self.rows = rows;
    }

    /// In rows sorted by their first `key.len()` fields ([`Rows::sort_by_first`]), the row
    /// whose first fields are `key`.
    pub fn find(&self, key: &[&str]) -> Option<[&str; N]> {
        let k = key.len();
        self.rows
            .binary_search_by(|r| self.fields(r)[..k].cmp(key))
            .ok()
            .map(|i| self.fields(&self.rows[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_sorted_found_and_the_last_of_equals_kept() {
        let mut rows = Rows::<3>::default();
        rows.push(["b", "1", "first"]);
        rows.push(["a", "", "x#y"]);
        rows.push(["b", "1", "second"]);
        // Fields that only concatenate alike stay apart.
        rows.push(["b1", "", "third"]);
        assert_eq!(rows.iter().nth(1), Some(["a", "", "x#y"]));
        rows.sort_keeping_last(2);
        assert_eq!(rows.len(), 3);
        let all: Vec<[&str; 3]> = rows.iter().collect();
        assert_eq!(
            all,
            vec![["a", "", "x#y"], ["b", "1", "second"], ["b1", "", "third"]]
        );
        assert_eq!(rows.find(&["b", "1"]), Some(["b", "1", "second"]));
        assert_eq!(rows.find(&["b1", ""]), Some(["b1", "", "third"]));
        assert_eq!(rows.find(&["b", ""]), None);
        let mut paths = Rows::<1>::default();
        for p in ["c", "a/b", "a.b", "a"] {
            paths.push([p]);
        }
        paths.sort_by_first(1);
        let sorted: Vec<&str> = paths.iter().map(|[p]| p).collect();
        assert_eq!(sorted, ["a", "a.b", "a/b", "c"]);
    }
}
