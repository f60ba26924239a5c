//! The tracer's table of traced tasks (threads), fixed capacity.
//!
//! Owned by the tracer thread alone. A task enters when the tracer
//! first hears of it (the fork/clone event of its parent or its own
//! first stop, whichever comes first) and leaves when its exit is
//! reaped. A full table is the caller's to handle: the new task is
//! killed, never left running untracked.
#![forbid(unsafe_code)]

use heapless::index_map::FnvIndexMap;

use super::message::TaskRef;
use crate::limits;
use crate::sys::process::Pid;

/// Where a task is in a round trip through the workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Running, or stopped in a stop the tracer already answered.
    Running,
    /// Stopped, waiting for a worker's verdict.
    Pending,
    /// Its system call was skipped; at the syscall-exit stop the tracer
    /// makes the call return this value (`-errno` for an error).
    Skipping(i64),
    /// Its system call (this number) runs; at the syscall-exit stop,
    /// if it succeeded, the outcome goes to the workers.
    PostCheck(u32),
}

/// One traced thread.
#[derive(Clone, Copy, Debug)]
pub struct Task {
    /// Distinguishes this task from an earlier one with the same tid.
    pub generation: u32,
    /// See [`State`].
    pub state: State,
}

/// The table is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// Counts the tasks registered (new ones, and a task anew at its exec):
/// a thread's name read before the count last moved may be another's.
pub static REGISTERED: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// All traced tasks.
pub struct Tasks {
    map: FnvIndexMap<Pid, Task, { limits::TASKS }>,
    next_generation: u32,
}

impl Default for Tasks {
    fn default() -> Self {
        Self::new()
    }
}

impl Tasks {
    /// An empty table (all zero bytes, so a static one stays in .bss and
    /// costs memory only as it fills).
    pub const fn new() -> Tasks {
        Tasks {
            map: FnvIndexMap::new(),
            next_generation: 0,
        }
    }

    /// Forgets every task.
    pub fn clear(&mut self) {
        if !self.map.is_empty() {
            self.map.clear();
        }
    }

    /// Adds `tid` if it is not there yet; returns its reference.
    pub fn register(&mut self, tid: Pid) -> Result<TaskRef, Full> {
        if let Some(task) = self.map.get(&tid) {
            return Ok(TaskRef {
                tid,
                generation: task.generation,
            });
        }
        // Never 0 (the first one: the table starts at 0).
        let generation = self.next_generation.max(1);
        REGISTERED.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        let task = Task {
            generation,
            state: State::Running,
        };
        self.map.insert(tid, task).map_err(|_| Full)?;
        // Wrapping is harmless: 2^32 tasks later, the old one is gone.
        self.next_generation = generation.wrapping_add(1).max(1);
        Ok(TaskRef { tid, generation })
    }

    /// The task with thread id `tid`.
    pub fn get_mut(&mut self, tid: Pid) -> Option<&mut Task> {
        self.map.get_mut(&tid)
    }

    /// The task `task` refers to, if it is still the same one.
    pub fn get_current(&mut self, task: TaskRef) -> Option<&mut Task> {
        self.map
            .get_mut(&task.tid)
            .filter(|t| t.generation == task.generation)
    }

    /// Forgets `tid`.
    pub fn remove(&mut self, tid: Pid) {
        self.map.swap_remove(&tid);
    }

    /// How many tasks are tracked.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no task is tracked.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The tracked thread ids.
    pub fn tids(&self) -> impl Iterator<Item = Pid> + '_ {
        self.map.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_tell_reused_tids_apart() {
        let mut t = Tasks::new();
        let a = t.register(100).unwrap();
        assert_eq!(
            t.register(100).unwrap(),
            a,
            "registering twice is idempotent"
        );
        t.remove(100);
        let b = t.register(100).unwrap();
        assert_ne!(a.generation, b.generation);
        assert!(
            t.get_current(a).is_none(),
            "a verdict for the old task must not apply"
        );
        assert!(t.get_current(b).is_some());
    }

    #[test]
    fn full_table_refuses() {
        let mut t = Tasks::new();
        for tid in 0..limits::TASKS as Pid {
            t.register(tid + 1).unwrap();
        }
        assert_eq!(t.register(-5), Err(Full));
        assert_eq!(t.len(), limits::TASKS);
    }
}
