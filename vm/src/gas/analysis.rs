//! The metered-block analysis: the one implementation of the block-splitting, cost
//! summation, reachability and operand-height rules of the [`gas`](super) module docs.
//!
//! [`MeteredBlocks`] is fed a function body operator by operator (after validation) and
//! tells its consumer, for each operator, whether it is reachable, whether charges must
//! be split before it, and whether a new metered block starts right after it. Two
//! consumers use it, so both charge exactly the same amounts at the same points:
//!
//! * the translator (`translate/func.rs`) emits a `ConsumeGas` at each charge opening
//!   and patches its amount when the charge closes;
//! * the instrumenter ([`crate::instrument`]) runs it once to collect the amounts
//!   ([`MeteredBlocks::charges`]), then again in lock-step while re-encoding, inserting
//!   the charge code with the collected amounts.
//!
//! A *charge* is one `ConsumeGas`: every metered block opens one charge; a block whose
//! sum would exceed `u32::MAX` is split into several (see [`Step::splits`]).

use wasmparser::{BrTable, Operator};

use super::{classify_operator, CostClass, Flow, GasSchedule, OpInfo};

/// Kind of a control frame, as far as reachability is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

/// A control frame of the analysis.
#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: Kind,
    /// Entered in reachable code.
    live: bool,
    /// Some reachable branch targets this frame's end.
    branched_to: bool,
    /// Label arity: the number of values a branch to this frame carries (a loop's
    /// params; a block's, if's or the function's results).
    arity: u32,
}

/// Branch targets of one operator (relative depths), for the reachability rules.
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a, 'b> {
    /// Not a branch (or `return`/`unreachable`, which target no label).
    None,
    /// `br` / `br_if` with this relative depth.
    Depth(u32),
    /// `br_table`: every target and the default.
    Table(&'b BrTable<'a>),
    /// `block`, `loop`, `if`: the block type's `(params, results)` counts, which give
    /// the new frame's label arity (a loop's params, otherwise its results).
    Opens(u32, u32),
}

/// What a consumer must do around one operator; see [`MeteredBlocks::op`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The operator is reachable: its cost was added and it must be translated. An
    /// unreachable operator costs nothing and never runs.
    pub reachable: bool,
    /// Number of charges closed (each of exactly `u32::MAX` units) and reopened *before*
    /// the operator by the split rule. Almost always 0.
    pub splits: u32,
    /// A new metered block starts right *after* the operator: the consumer emits the
    /// operator, then calls [`MeteredBlocks::new_block`].
    pub starts_block: bool,
}

/// Metered-block state of one function body. Reusable across functions (call
/// [`MeteredBlocks::start`] for each): its buffers are kept.
#[derive(Clone, Debug, Default)]
pub struct MeteredBlocks {
    frames: Vec<Frame>,
    reachable: bool,
    /// Cost accumulated in the open charge (always `<= u32::MAX`).
    open: u64,
    /// Amounts of the closed charges, in order of opening.
    charges: Vec<u64>,
    /// Maximum operand-stack height observed (see [`MeteredBlocks::observe_height`]).
    max_height: u32,
    /// Set by `op` when the consumer owes a `new_block` call.
    owe_block: bool,
}

impl MeteredBlocks {
    /// A fresh analysis (call [`MeteredBlocks::start`] before the first operator).
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a function body that declares `locals` locals (params excluded) and has
    /// `results` results: the function frame is open, code is reachable, and the entry
    /// charge is open (the consumer emits it before the first operator) with the frame
    /// set-up cost [`GasSchedule::frame`] already in it (clamped to `u32::MAX`, which
    /// the load limits keep far away: 4096 locals).
    pub fn start(&mut self, schedule: &GasSchedule, locals: u32, results: u32) {
        self.frames.clear();
        self.frames.push(Frame {
            kind: Kind::Func,
            live: true,
            branched_to: false,
            arity: results,
        });
        self.reachable = true;
        self.open = schedule.frame(locals).min(u64::from(u32::MAX));
        self.charges.clear();
        self.max_height = 0;
        self.owe_block = false;
    }

    /// Whether the code at this point is reachable.
    pub fn is_reachable(&self) -> bool {
        self.reachable
    }

    /// Units accumulated so far in the open charge (the translator reuses an empty
    /// charge's `ConsumeGas` for the next block).
    pub fn open_cost(&self) -> u64 {
        self.open
    }

    /// Amounts of the charges closed so far, in order (after [`MeteredBlocks::finish`]:
    /// every charge of the function; the first is the entry charge).
    pub fn charges(&self) -> &[u64] {
        &self.charges
    }

    /// Records the operand-stack height after an operator (the validator's height, which
    /// follows the spec's validation algorithm, unreachable code included).
    pub fn observe_height(&mut self, height: u32) {
        self.max_height = self.max_height.max(height);
    }

    /// Maximum operand-stack height observed: with the function's locals (params
    /// included), its frame cost for the stack limit.
    pub fn max_height(&self) -> u32 {
        self.max_height
    }

    /// Feeds one (validated) operator of class `class` and flow `flow`.
    // Inlined into each operator's visitor, where `class` and `flow` are constants: the
    // cost is one load and the common straight-line case no call (compile time).
    #[inline(always)]
    pub fn op(
        &mut self,
        schedule: &GasSchedule,
        class: CostClass,
        flow: Flow,
        targets: Targets<'_, '_>,
    ) -> Step {
        debug_assert!(!self.owe_block, "new_block not called after a block start");
        let reachable = self.reachable;
        let mut splits = 0;
        let starts_block = match flow {
            Flow::Straight => {
                if reachable {
                    splits = self.add(schedule.cost(class));
                }
                false
            }
            _ => {
                if reachable {
                    let carried = schedule.carried(self.carried(class, targets));
                    splits = self.add(schedule.cost(class).saturating_add(carried));
                }
                self.control(flow, targets)
            }
        };
        self.owe_block = starts_block;
        Step {
            reachable,
            splits,
            starts_block,
        }
    }

    /// Number of values the (reachable) operator carries to its label: the target's
    /// arity for `br`/`br_if`, the default target's for `br_table` (every target of a
    /// valid `br_table` has the same arity), the function's results for `return`.
    fn carried(&self, class: CostClass, targets: Targets<'_, '_>) -> u32 {
        match targets {
            Targets::Depth(d) => self.arity_at(d),
            Targets::Table(t) => self.arity_at(t.default()),
            Targets::None if class == CostClass::Return => self.frames[0].arity,
            Targets::None | Targets::Opens(..) => 0,
        }
    }

    fn arity_at(&self, depth: u32) -> u32 {
        let n = self.frames.len();
        n.checked_sub(1 + depth as usize)
            .map_or(0, |i| self.frames[i].arity)
    }

    /// The control-flow part of [`MeteredBlocks::op`] for an operator whose flow is not
    /// straight: frames, reachability, branch targets. Returns whether a new metered
    /// block starts after the operator.
    #[inline(never)]
    fn control(&mut self, flow: Flow, targets: Targets<'_, '_>) -> bool {
        let live = self.reachable;
        match flow {
            Flow::Straight => false,
            Flow::Block => {
                self.push(Kind::Block, live, results_of(targets));
                false
            }
            Flow::Loop => {
                let params = match targets {
                    Targets::Opens(params, _) => params,
                    _ => 0,
                };
                self.push(Kind::Loop, live, params);
                live
            }
            Flow::If => {
                self.push(Kind::If, live, results_of(targets));
                live
            }
            Flow::Else => {
                let f = self.frames.last_mut().expect("validated: else in an if");
                // The then arm falling through to `else` continues after the `end`.
                if live {
                    f.branched_to = true;
                }
                f.kind = Kind::Else;
                self.reachable = f.live;
                f.live
            }
            Flow::End => {
                let f = self.frames.pop().expect("validated: end closes a frame");
                if f.kind == Kind::Func {
                    self.reachable = false;
                    false
                } else if f.live {
                    let after = self.reachable || f.branched_to || f.kind == Kind::If;
                    self.reachable = after;
                    after
                } else {
                    false
                }
            }
            Flow::BrIf => {
                if live {
                    self.mark(targets);
                }
                live
            }
            Flow::Jump => {
                if live {
                    self.mark(targets);
                }
                self.reachable = false;
                false
            }
        }
    }

    /// Feeds one (validated) [`Operator`] value: classification and branch targets are
    /// taken from it; `arity` gives a block type's `(params, results)` counts.
    ///
    /// # Errors
    /// The rejected proposal's name for an operator Metron does not support.
    pub fn operator(
        &mut self,
        schedule: &GasSchedule,
        op: &Operator<'_>,
        arity: impl Fn(wasmparser::BlockType) -> (u32, u32),
    ) -> Result<Step, &'static str> {
        let (class, flow) = match classify_operator(op) {
            OpInfo::Op(c, f) => (c, f),
            OpInfo::Unsupported(name) => return Err(name),
        };
        let targets = match op {
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                Targets::Depth(*relative_depth)
            }
            Operator::BrTable { targets } => Targets::Table(targets),
            Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
                let (params, results) = arity(*blockty);
                Targets::Opens(params, results)
            }
            _ => Targets::None,
        };
        Ok(self.op(schedule, class, flow, targets))
    }

    /// Closes the open charge and opens the charge of the block starting here (after an
    /// operator whose [`Step::starts_block`] was set). Returns the closed amount.
    pub fn new_block(&mut self) -> u64 {
        self.owe_block = false;
        self.close()
    }

    /// Closes the last charge at the end of the body; returns its amount.
    pub fn finish(&mut self) -> u64 {
        self.owe_block = false;
        self.close()
    }

    fn close(&mut self) -> u64 {
        let amount = self.open;
        self.charges.push(amount);
        self.open = 0;
        amount
    }

    fn push(&mut self, kind: Kind, live: bool, arity: u32) {
        self.frames.push(Frame {
            kind,
            live,
            branched_to: false,
            arity,
        });
    }

    /// Marks the frames targeted by a reachable branch. A branch to a loop goes to its
    /// header, not its end, so it does not make the code after the loop reachable.
    fn mark(&mut self, targets: Targets<'_, '_>) {
        match targets {
            Targets::None | Targets::Opens(..) => {}
            Targets::Depth(d) => self.mark_one(d),
            Targets::Table(t) => {
                for d in t.targets().flatten() {
                    self.mark_one(d);
                }
                self.mark_one(t.default());
            }
        }
    }

    fn mark_one(&mut self, depth: u32) {
        let n = self.frames.len();
        if let Some(i) = n.checked_sub(1 + depth as usize) {
            let f = &mut self.frames[i];
            if f.kind != Kind::Loop {
                f.branched_to = true;
            }
        }
    }

    /// Adds `cost` to the open charge, applying the split rule: if the sum would exceed
    /// `u32::MAX`, the charge is closed at `u32::MAX` and a new one opens here (before
    /// the operator) with the rest. Returns the number of splits.
    #[inline(always)]
    fn add(&mut self, cost: u64) -> u32 {
        let total = self.open.saturating_add(cost);
        if total <= u64::from(u32::MAX) {
            self.open = total;
            return 0;
        }
        self.split(total)
    }

    /// The split rule's slow path of [`MeteredBlocks::add`] (`total > u32::MAX`).
    #[cold]
    #[inline(never)]
    fn split(&mut self, mut total: u64) -> u32 {
        let max = u64::from(u32::MAX);
        let mut splits = 0;
        while total > max {
            self.charges.push(max);
            total -= max;
            splits += 1;
        }
        self.open = total;
        splits
    }
}

/// The results count of a block type given as [`Targets::Opens`] (0 otherwise).
fn results_of(targets: Targets<'_, '_>) -> u32 {
    match targets {
        Targets::Opens(_, results) => results,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the analysis over every function of a WAT module (default schedule);
    /// returns the last function's (charges, max height).
    fn analyze(src: &str) -> (Vec<u64>, u32) {
        let wasm = wat::parse_str(src).unwrap();
        let s = GasSchedule::default();
        let mut m = MeteredBlocks::new();
        let mut types: Vec<(u32, u32)> = Vec::new();
        let mut func_types: Vec<u32> = Vec::new();
        let mut next_func = 0;
        for p in wasmparser::Parser::new(0).parse_all(&wasm) {
            match p.unwrap() {
                wasmparser::Payload::TypeSection(r) => {
                    for ty in r.into_iter_err_on_gc_types() {
                        let ty = ty.unwrap();
                        types.push((ty.params().len() as u32, ty.results().len() as u32));
                    }
                }
                wasmparser::Payload::FunctionSection(r) => {
                    func_types = r.into_iter().map(Result::unwrap).collect();
                }
                wasmparser::Payload::CodeSectionEntry(body) => {
                    let results = types[func_types[next_func] as usize].1;
                    next_func += 1;
                    let mut locals = 0;
                    for l in body.get_locals_reader().unwrap() {
                        locals += l.unwrap().0;
                    }
                    m.start(&s, locals, results);
                    let arity = |bt| match bt {
                        wasmparser::BlockType::Empty => (0, 0),
                        wasmparser::BlockType::Type(_) => (0, 1),
                        wasmparser::BlockType::FuncType(t) => types[t as usize],
                    };
                    let mut r = body.get_operators_reader().unwrap();
                    while !r.eof() {
                        let step = m.operator(&s, &r.read().unwrap(), arity).unwrap();
                        if step.starts_block {
                            m.new_block();
                        }
                    }
                    m.finish();
                }
                _ => {}
            }
        }
        (m.charges().to_vec(), m.max_height())
    }

    #[test]
    fn frame_and_carried_values() {
        // Entry: 3 declared locals (3) + nop (0).
        let (c, _) = analyze("(module (func (param i32) (local i32 i64 externref) nop))");
        assert_eq!(c, vec![3]);
        // A br carrying 2 values to a block: const const (2) + br (2) + 2 carried.
        let (c, _) = analyze(
            "(module (type $t (func (result i32 i32))) (func (result i32 i32)
               block (type $t) i32.const 1 i32.const 2 br 0 end))",
        );
        assert_eq!(c, vec![6, 0]);
        // A branch to a loop carries its params; return carries the function's results.
        let (c, _) = analyze(
            "(module (type $l (func (param i32 i32))) (func (result i32)
               i32.const 1 i32.const 2 loop (type $l) br 0 end i32.const 3 return))",
        );
        // entry: const const (2) | loop header: br (2) + 2 carried | after loop: dead.
        assert_eq!(c, vec![2, 4]);
        let (c, _) = analyze("(module (func (result i32) i32.const 3 return))");
        assert_eq!(c, vec![1 + 2 + 1]);
        // br_table charges its default label's arity once, not per target.
        let (c, _) = analyze(
            "(module (func (result i32) block (result i32) i32.const 7 i32.const 0
               br_table 0 0 0 0 end))",
        );
        assert_eq!(c, vec![1 + 1 + 7 + 1, 0]);
        // br_if to the function label: carries its results.
        let (c, _) = analyze("(module (func (result i32) i32.const 1 i32.const 0 br_if 0))");
        assert_eq!(c, vec![1 + 1 + 2 + 1, 0]);
    }

    #[test]
    fn blocks_and_reachability() {
        // entry: const(1) if(2) | then: const(1) drop(1) | else: unreachable(1) [dead:
        // const] | after end: nop
        let (c, _) = analyze(
            "(module (func i32.const 0 if i32.const 1 drop else unreachable i32.const 2 drop end nop))",
        );
        assert_eq!(c, vec![3, 2, 1, 0]);
        // A block whose end is reached only by a branch: after it is reachable.
        let (c, _) = analyze("(module (func block br 0 i32.const 1 drop end i32.const 1 drop))");
        assert_eq!(c, vec![2, 2]);
        // A branch to a loop does not make the code after the loop reachable.
        let (c, _) = analyze("(module (func loop br 0 end i32.const 1 drop))");
        assert_eq!(c, vec![0, 2]);
        // br_if: a new block after it.
        let (c, _) = analyze("(module (func block i32.const 0 br_if 0 i32.const 1 drop end nop))");
        assert_eq!(c, vec![3, 2, 0]);
    }

    #[test]
    fn br_table_marks_every_target() {
        let (c, _) = analyze(
            "(module (func block block i32.const 0 br_table 0 1 end i32.const 1 drop end))",
        );
        // entry: const(1) br_table(7) | after inner end: const drop | after outer end.
        assert_eq!(c, vec![1 + 7, 2, 0]);
    }

    #[test]
    fn split_rule() {
        let s = GasSchedule {
            call: u64::from(u32::MAX) - 1,
            ..GasSchedule::default()
        };
        let mut m = MeteredBlocks::new();
        m.start(&s, 0, 0);
        let step = m.op(&s, CostClass::Call, Flow::Straight, Targets::None);
        assert_eq!(step.splits, 0);
        let step = m.op(&s, CostClass::Call, Flow::Straight, Targets::None);
        assert_eq!(step.splits, 1);
        assert_eq!(m.open_cost(), u64::from(u32::MAX) - 2);
        m.finish();
        assert_eq!(m.charges(), &[u64::from(u32::MAX), u64::from(u32::MAX) - 2]);
        let total: u64 = m.charges().iter().sum();
        assert_eq!(total, 2 * (u64::from(u32::MAX) - 1));
    }
}
