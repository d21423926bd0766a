//! A line diff in the unified format, for `corsc fmt --check`.
//!
//! Myers' algorithm on the lines between the common prefix and suffix,
//! with three lines of context. Its work is capped ([`MAX_WORK`]): past
//! the cap the changed middle is shown as removed and added in one piece,
//! which is still a correct (if longer) diff, so no input is slow.

/// The most diagonal steps Myers' algorithm may take before the diff falls
/// back to replacing the whole changed middle.
pub const MAX_WORK: usize = 20_000_000;

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// The line is in both (old index, new index).
    Equal(usize, usize),
    /// An old line is removed.
    Delete(usize),
    /// A new line is added.
    Insert(usize),
}

/// The unified diff from `old` to `new`, with `---`/`+++` headers naming
/// `old_name` and `new_name`; empty when the texts are equal.
///
/// # Examples
///
/// ```
/// let diff = corsc::text_diff::unified("a\nb\n", "a\nc\n", "x", "y");
/// assert_eq!(diff, "--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
/// ```
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = diff(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    // The indices of changed ops, grouped into hunks whose changes are at
    // most 2 * CONTEXT equal lines apart.
    let changes: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Equal(..)))
        .map(|(index, _)| index)
        .collect();
    // Old and new lines before each op.
    let mut positions = Vec::with_capacity(ops.len());
    let (mut old_lines, mut new_lines) = (0, 0);
    for op in &ops {
        positions.push((old_lines, new_lines));
        match op {
            Op::Equal(..) => (old_lines, new_lines) = (old_lines + 1, new_lines + 1),
            Op::Delete(_) => old_lines += 1,
            Op::Insert(_) => new_lines += 1,
        }
    }
    let mut start = 0;
    while start < changes.len() {
        let mut end = start;
        while end + 1 < changes.len() && changes[end + 1] - changes[end] <= 2 * CONTEXT + 1 {
            end += 1;
        }
        let from = changes[start].saturating_sub(CONTEXT);
        let to = (changes[end] + CONTEXT + 1).min(ops.len());
        hunk(&mut out, &ops[from..to], positions[from], &a, &b);
        start = end + 1;
    }
    out
}

/// Writes the hunk of `ops`, which start after `old_before` lines of the
/// old text and `new_before` of the new.
fn hunk(
    out: &mut String,
    ops: &[Op],
    (old_before, new_before): (usize, usize),
    a: &[&str],
    b: &[&str],
) {
    let old_count = ops.iter().filter(|op| !matches!(op, Op::Insert(_))).count();
    let new_count = ops.iter().filter(|op| !matches!(op, Op::Delete(_))).count();
    // A side with no lines in the hunk is numbered by the line before it.
    let first = |before: usize, count: usize| if count > 0 { before + 1 } else { before };
    out.push_str(&format!(
        "@@ -{},{old_count} +{},{new_count} @@\n",
        first(old_before, old_count),
        first(new_before, new_count)
    ));
    for op in ops {
        let (mark, line) = match *op {
            Op::Equal(i, _) => (' ', a[i]),
            Op::Delete(i) => ('-', a[i]),
            Op::Insert(j) => ('+', b[j]),
        };
        out.push(mark);
        let text = line.strip_suffix('\n').unwrap_or(line);
        out.push_str(text.strip_suffix('\r').unwrap_or(text));
        out.push('\n');
        if !line.ends_with('\n') {
            out.push_str("\\ No newline at end of file\n");
        }
    }
}

/// The edit script from `a` to `b`, every line of both in order.
fn diff(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (middle_a, middle_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Equal(i, i)).collect();
    match myers(middle_a, middle_b) {
        Some(middle) => ops.extend(middle.into_iter().map(|op| match op {
            Op::Equal(i, j) => Op::Equal(i + prefix, j + prefix),
            Op::Delete(i) => Op::Delete(i + prefix),
            Op::Insert(j) => Op::Insert(j + prefix),
        })),
        None => {
            ops.extend((prefix..a.len() - suffix).map(Op::Delete));
            ops.extend((prefix..b.len() - suffix).map(Op::Insert));
        }
    }
    let (a_end, b_end) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|n| Op::Equal(a_end + n, b_end + n)));
    ops
}

/// Myers' O((N+M)D) diff; `None` past [`MAX_WORK`].
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let offset = max + 1;
    let mut v = vec![0isize; 2 * max + 3];
    // trace[d]: v[-(d+1)..=d+1] before step d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut work = 0usize;
    let mut found = None;
    'search: for d in 0..=max {
        trace.push(v[offset - d - 1..=offset + d + 1].to_vec());
        let d = d as isize;
        let mut k = -d;
        while k <= d {
            let at = |k: isize| (offset as isize + k) as usize;
            let mut x = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) {
                v[at(k + 1)]
            } else {
                v[at(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
                work += 1;
            }
            work += 1;
            if work > MAX_WORK || trace.len() * trace.len() > MAX_WORK {
                return None;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'search;
            }
            k += 2;
        }
    }
    let found = found?;
    // Walk back from (n, m).
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..=found).rev() {
        let snapshot = &trace[d as usize];
        let get = |k: isize| snapshot[(k + d + 1) as usize];
        let k = x - y;
        let previous_k = if k == -d || (k != d && get(k - 1) < get(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let previous_x = get(previous_k);
        let previous_y = previous_x - previous_k;
        while x > previous_x && y > previous_y {
            ops.push(Op::Equal((x - 1) as usize, (y - 1) as usize));
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            if x == previous_x {
                ops.push(Op::Insert((y - 1) as usize));
            } else {
                ops.push(Op::Delete((x - 1) as usize));
            }
        }
        x = previous_x;
        y = previous_y;
    }
    ops.reverse();
    Some(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies the script to `a` and checks it gives `b`.
    fn check(a: &str, b: &str) {
        let la: Vec<&str> = a.split_inclusive('\n').collect();
        let lb: Vec<&str> = b.split_inclusive('\n').collect();
        let ops = diff(&la, &lb);
        let mut rebuilt_a = String::new();
        let mut rebuilt_b = String::new();
        for op in &ops {
            match *op {
                Op::Equal(i, j) => {
                    assert_eq!(la[i], lb[j]);
                    rebuilt_a.push_str(la[i]);
                    rebuilt_b.push_str(lb[j]);
                }
                Op::Delete(i) => rebuilt_a.push_str(la[i]),
                Op::Insert(j) => rebuilt_b.push_str(lb[j]),
            }
        }
        assert_eq!((rebuilt_a.as_str(), rebuilt_b.as_str()), (a, b));
    }

    #[test]
    fn scripts_rebuild_both_sides() {
        let cases = [
            ("", "a\n"),
            ("a\n", ""),
            ("a\nb\nc\n", "a\nc\n"),
            ("a\nb\nc\n", "x\nb\ny\n"),
            ("a\nb\nc\nd\ne\nf\n", "b\na\nc\nf\ne\nd\n"),
            ("a", "a\n"),
            ("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\nx\n5\n6\n7\n8\ny\n"),
        ];
        for (a, b) in cases {
            check(a, b);
            check(b, a);
        }
    }

    #[test]
    fn hunks_have_context_and_line_numbers() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
        let new = "1\nx\n3\n4\n5\n6\n7\n8\n9\n10\n11\ny\n";
        assert_eq!(
            unified(old, new, "a", "b"),
            "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+x\n 3\n 4\n 5\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+y\n"
        );
        assert_eq!(
            unified("a", "a\n", "a", "b"),
            "--- a\n+++ b\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+a\n"
        );
        assert_eq!(
            unified("", "a\n", "a", "b"),
            "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+a\n"
        );
        assert_eq!(unified("x\n", "x\n", "a", "b"), "");
    }

    #[test]
    fn huge_different_inputs_fall_back_quickly() {
        let a: String = (0..200_000).map(|n| format!("a{n}\n")).collect();
        let b: String = (0..200_000).map(|n| format!("b{n}\n")).collect();
        let started = std::time::Instant::now();
        let diff = unified(&a, &b, "a", "b");
        assert!(diff.starts_with("--- a\n+++ b\n@@ -1,200000 +1,200000 @@\n-a0\n"));
        assert!(started.elapsed().as_secs() < 20);
        check(&a[..6000], &b[..6000]);
    }
}
