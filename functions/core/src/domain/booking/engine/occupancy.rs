//! Which lock cells are full: the busy blocks counted per cell once, kept as sorted runs.

use std::ops::Range;

use super::Busy;

/// The runs of cells covered by at least `capacity` busy blocks, sorted and disjoint. Built in
/// O(b log b) from b blocks; asking whether a block is free is a binary search, so no slot ever
/// rescans the appointments.
pub(super) struct Occupancy {
    full: Vec<Range<i64>>,
}

impl Occupancy {
    pub fn new(busy: &[Busy], capacity: u32) -> Self {
        // Each block adds one to every cell of its range: +1 where it starts, -1 where it ends.
        let mut edges: Vec<(i64, i64)> = Vec::with_capacity(busy.len() * 2);
        for block in busy {
            let cells = block.cells();
            if !cells.is_empty() {
                edges.push((cells.start, 1));
                edges.push((cells.end, -1));
            }
        }
        edges.sort_unstable();
        let capacity = i64::from(capacity);
        let mut full = Vec::new();
        let mut count = 0;
        let mut run_start = None;
        let mut i = 0;
        while i < edges.len() {
            let cell = edges[i].0;
            while i < edges.len() && edges[i].0 == cell {
                count += edges[i].1;
                i += 1;
            }
            // `count` now holds the cells from `cell` up to the next edge.
            match (count >= capacity, run_start) {
                (true, None) => run_start = Some(cell),
                (false, Some(start)) => {
                    full.push(start..cell);
                    run_start = None;
                }
                _ => {}
            }
        }
        Self { full }
    }

    /// Whether every cell in `cells` is below capacity.
    pub fn is_free(&self, cells: &Range<i64>) -> bool {
        let i = self.full.partition_point(|run| run.end <= cells.start);
        self.full.get(i).is_none_or(|run| run.start >= cells.end)
    }
}
