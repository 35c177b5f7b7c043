//! The timeline as plain data, computed from a [`Run`]: which lanes exist,
//! which slots each step has, and what each lane and the transition row show
//! in each slot.
//!
//! This only arranges what the engine reported (events and snapshots) on a
//! grid; it decides no kernel rule. A step gets one slot per callback plus
//! "gap" slots for what happens between callbacks (module state changes,
//! transition phases), so callbacks on different lanes line up in the order
//! they ran.

use klpscope_engine::contract::{Code, Contract, Stage};
use klpscope_engine::event::{
    CallbackKind, Event, EventKind, KlpState, ModuleState, TransitionPhase,
};
use klpscope_engine::snapshot::Snapshot;
use klpscope_engine::{Run, Semantics};

/// The name of the kernel's own object.
pub const VMLINUX: &str = "vmlinux";

/// Everything the timeline shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    /// One per step (command).
    pub steps: Vec<StepColumn>,
    /// All slots of all steps, in order.
    pub slots: Vec<Slot>,
    /// vmlinux first, then modules in the order they were first seen.
    pub lanes: Vec<Lane>,
    /// The transition row: one cell per slot.
    pub transition: Vec<TransitionCell>,
}

/// A step's column header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepColumn {
    /// 1-based.
    pub step: usize,
    /// The command, without `% `.
    pub command: String,
    /// The command, shortened for a column header.
    pub short: String,
    /// The command failed (a user-space error line was printed).
    pub failed: bool,
    /// Index of its first slot in [`Timeline::slots`].
    pub first_slot: usize,
    /// How many slots it has (at least one).
    pub slot_count: usize,
    /// Drawn highlighted (the compare view marks the steps that differ).
    pub marked: bool,
}

/// A sub-column of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// 1-based step.
    pub step: usize,
    /// The callback event this slot holds (index into the step's events), if any.
    pub callback: Option<usize>,
}

/// One object's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// `vmlinux` or a module name.
    pub object: String,
    /// The module is a livepatch.
    pub livepatch: bool,
    /// One per slot.
    pub cells: Vec<LaneCell>,
}

/// Whether and how an object exists during a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Not loaded.
    Absent,
    /// vmlinux: always there.
    Kernel,
    /// A module in this state.
    Module(ModuleState),
}

/// What a lane shows in one slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneCell {
    /// The object's presence at the end of the slot.
    pub presence: Presence,
    /// State changes in this slot, in order (`None` = module freed).
    pub changes: Vec<Option<ModuleState>>,
    /// The callback that ran on this object in this slot.
    pub marker: Option<Marker>,
}

/// A callback on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// 1-based step.
    pub step: usize,
    /// Index in the step's events.
    pub event: usize,
    /// Which callback.
    pub callback: CallbackKind,
    /// Its name in the profile's code ([`Timeline::name_callbacks`]).
    pub name: &'static str,
    /// The object it ran for (`vmlinux` or a module).
    pub object: String,
    /// The module state the callback observed (`None` for vmlinux).
    pub state: Option<ModuleState>,
    /// The livepatch whose callback it is.
    pub patch: Option<String>,
    /// What `pre_patch` returned.
    pub ret: Option<i32>,
    /// What the engine's contract of the call stresses.
    pub badges: Vec<Badge>,
}

/// A fact of a callback's contract ([`klpscope_engine::contract`]) that its
/// marker shows: the ones a patch author most often gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Badge {
    /// It may fail, and its failure stops what called it (`can_fail`).
    MayFail,
    /// Its module's init has not run (`module`: before init).
    BeforeInit,
    /// Tasks run both the old and the new code (a transition is under way).
    OldAndNew,
}

impl Badge {
    /// The badge's words.
    pub fn label(self) -> &'static str {
        match self {
            Badge::MayFail => "may fail",
            Badge::BeforeInit => "before init",
            Badge::OldAndNew => "old and new code",
        }
    }

    /// Its glyph in the compact timeline.
    pub fn glyph(self) -> &'static str {
        match self {
            Badge::MayFail => "!",
            Badge::BeforeInit => "°",
            Badge::OldAndNew => "½",
        }
    }

    /// The badges of a contract, in this order.
    pub fn of(contract: &Contract) -> Vec<Badge> {
        let mixed = [contract.object_code, contract.system_code].contains(&Code::OldAndNew);
        [
            (contract.can_fail, Badge::MayFail),
            (contract.module == Stage::BeforeInit, Badge::BeforeInit),
            (mixed, Badge::OldAndNew),
        ]
        .into_iter()
        .filter_map(|(on, badge)| on.then_some(badge))
        .collect()
    }
}

/// What the transition row shows in one slot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransitionCell {
    /// The transition in progress when the slot starts.
    pub before: Option<Active>,
    /// The transition in progress when the slot ends.
    pub after: Option<Active>,
    /// Phases that happened in this slot: (event index, phase, target after it).
    pub phases: Vec<(usize, TransitionPhase, KlpState)>,
    /// Tasks that keep the transition from completing (only set where the
    /// transition sits stalled: after its last phase in a step, and in later
    /// steps until something happens to it).
    pub blocked: Vec<(String, String)>,
    /// The first stalled slot of its step (where the row names the blocker).
    pub stall_start: bool,
}

/// A transition in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Active {
    /// `klp_transition_patch`.
    pub patch: String,
    /// `klp_target_state`.
    pub target: KlpState,
}

impl TransitionCell {
    /// Whether the row draws a bar in this slot.
    pub fn shows_bar(&self) -> bool {
        self.before.is_some() || self.after.is_some() || !self.phases.is_empty()
    }
}

impl Timeline {
    /// Arranges a run on the grid.
    pub fn build(run: &Run, livepatch: impl Fn(&str) -> bool) -> Timeline {
        let mut t = Timeline::default();
        let mut presence: Vec<(String, Presence)> = vec![(VMLINUX.to_string(), Presence::Kernel)];
        for m in &run.initial.modules {
            presence.push((m.name.clone(), Presence::Module(m.state)));
        }
        let mut prev: &Snapshot = &run.initial;

        for (i, step) in run.steps.iter().enumerate() {
            let n = i + 1;
            let first_slot = t.slots.len();
            let mut active = prev.transition.as_ref().map(|tr| Active {
                patch: tr.patch.clone(),
                target: tr.target,
            });
            // Slot being filled: its lane changes and transition phases.
            let mut cur = Pending::new(active.clone());
            let mut failed = false;
            for (e, ev) in step.events.iter().enumerate() {
                match &ev.kind {
                    EventKind::Callback {
                        callback,
                        ret,
                        contract,
                        ..
                    } => {
                        let object = ev.object.clone().unwrap_or_else(|| VMLINUX.to_string());
                        ensure_lane(&mut presence, &object);
                        if cur.has_content() {
                            t.push_slot(n, None, &mut cur, &presence, active.clone());
                        }
                        cur.marker = Some(Marker {
                            step: n,
                            event: e,
                            callback: *callback,
                            name: callback.name(),
                            object: object.clone(),
                            state: ev.module_state,
                            patch: ev.patch.clone(),
                            ret: *ret,
                            badges: contract.as_deref().map(Badge::of).unwrap_or_default(),
                        });
                        cur.marker_object = object;
                        t.push_slot(n, Some(e), &mut cur, &presence, active.clone());
                    }
                    EventKind::ModuleState { module, state } => {
                        ensure_lane(&mut presence, module);
                        set_presence(&mut presence, module, *state);
                        cur.changes.push((module.clone(), *state));
                    }
                    EventKind::Transition { phase, target } => {
                        // `target` is the direction; after `Complete` no
                        // transition is in progress.
                        active = if *phase == TransitionPhase::Complete || *target == KlpState::Idle
                        {
                            None
                        } else {
                            Some(Active {
                                patch: ev
                                    .patch
                                    .clone()
                                    .or_else(|| active.as_ref().map(|a| a.patch.clone()))
                                    .unwrap_or_default(),
                                target: *target,
                            })
                        };
                        cur.phases.push((e, *phase, *target));
                    }
                    EventKind::UserError { .. } => failed = true,
                    _ => {}
                }
            }
            if cur.has_content() || t.slots.len() == first_slot {
                t.push_slot(n, None, &mut cur, &presence, active.clone());
            }
            t.mark_stalled(first_slot, prev, &step.snapshot);
            t.steps.push(StepColumn {
                step: n,
                command: step.command.clone(),
                short: short_command(&step.command),
                failed,
                first_slot,
                slot_count: t.slots.len() - first_slot,
                marked: false,
            });
            prev = &step.snapshot;
        }
        for lane in &mut t.lanes {
            lane.livepatch = lane.object != VMLINUX && livepatch(&lane.object);
        }
        t
    }

    /// Closes the slot being filled and appends it to every row.
    fn push_slot(
        &mut self,
        step: usize,
        callback: Option<usize>,
        cur: &mut Pending,
        presence: &[(String, Presence)],
        active: Option<Active>,
    ) {
        let index = self.slots.len();
        self.slots.push(Slot { step, callback });
        for (object, p) in presence {
            let lane = match self.lanes.iter().position(|l| l.object == *object) {
                Some(i) => &mut self.lanes[i],
                None => {
                    // A lane first seen now: it was absent in earlier slots.
                    self.lanes.push(Lane {
                        object: object.clone(),
                        livepatch: false,
                        cells: vec![LaneCell::absent(); index],
                    });
                    self.lanes.last_mut().expect("just pushed")
                }
            };
            let changes = cur
                .changes
                .iter()
                .filter(|(m, _)| m == object)
                .map(|(_, s)| *s)
                .collect();
            let marker = if cur.marker_object == *object {
                cur.marker.take()
            } else {
                None
            };
            lane.cells.push(LaneCell {
                presence: *p,
                changes,
                marker,
            });
        }
        self.transition.push(TransitionCell {
            before: cur.before.take(),
            after: active.clone(),
            phases: std::mem::take(&mut cur.phases),
            blocked: Vec::new(),
            stall_start: false,
        });
        *cur = Pending::new(active);
    }

    /// Marks where the transition sits stalled: from the step's start until
    /// its first phase (if the previous step left it blocked), and after its
    /// last phase (if this step leaves it blocked).
    fn mark_stalled(&mut self, first_slot: usize, prev: &Snapshot, now: &Snapshot) {
        let blocked_before = prev
            .transition
            .as_ref()
            .map(|t| t.blocked.clone())
            .unwrap_or_default();
        let blocked_after = now
            .transition
            .as_ref()
            .map(|t| t.blocked.clone())
            .unwrap_or_default();
        let cells = &mut self.transition[first_slot..];
        let first_phase = cells.iter().position(|c| !c.phases.is_empty());
        let last_phase = cells.iter().rposition(|c| !c.phases.is_empty());
        match (first_phase, last_phase) {
            (Some(first), Some(last)) => {
                for c in &mut cells[..first] {
                    c.blocked.clone_from(&blocked_before);
                }
                for c in &mut cells[last..] {
                    if c.after.is_some() {
                        c.blocked.clone_from(&blocked_after);
                    }
                }
            }
            _ => {
                for c in cells.iter_mut() {
                    if c.after.is_some() {
                        c.blocked.clone_from(&blocked_after);
                    }
                }
            }
        }
        let mut prev_stalled = false;
        for c in cells.iter_mut() {
            let stalled = !c.blocked.is_empty();
            c.stall_start = stalled && !prev_stalled;
            prev_stalled = stalled;
        }
    }

    /// Gives step `i` at least `counts[i]` slots, adding empty ones at its
    /// end where every row goes on as it stands, so that two timelines of
    /// the same commands line up step by step.
    pub fn pad_steps(&mut self, counts: &[usize]) {
        for (s, &want) in self.steps.iter().zip(counts).rev() {
            let end = s.first_slot + s.slot_count;
            let Some(last) = end.checked_sub(1) else {
                continue;
            };
            for _ in s.slot_count..want {
                self.slots.insert(
                    end,
                    Slot {
                        step: s.step,
                        callback: None,
                    },
                );
                for lane in &mut self.lanes {
                    let presence = lane.cells[last].presence;
                    lane.cells.insert(
                        end,
                        LaneCell {
                            presence,
                            ..LaneCell::absent()
                        },
                    );
                }
                let t = &self.transition[last];
                let cell = TransitionCell {
                    before: t.after.clone(),
                    after: t.after.clone(),
                    blocked: t.blocked.clone(),
                    ..TransitionCell::default()
                };
                self.transition.insert(end, cell);
            }
        }
        let mut first = 0;
        for (i, s) in self.steps.iter_mut().enumerate() {
            s.first_slot = first;
            s.slot_count = s.slot_count.max(counts.get(i).copied().unwrap_or(0));
            first += s.slot_count;
        }
    }

    /// Names every marker as the profile's code names its callback.
    pub fn name_callbacks(&mut self, semantics: Semantics) {
        for lane in &mut self.lanes {
            for m in lane.cells.iter_mut().filter_map(|c| c.marker.as_mut()) {
                m.name = semantics.callback_name(m.callback);
            }
        }
    }

    /// The slot index range of a step (1-based).
    pub fn step_slots(&self, step: usize) -> std::ops::Range<usize> {
        match self.steps.get(step.wrapping_sub(1)) {
            Some(s) => s.first_slot..s.first_slot + s.slot_count,
            None => 0..0,
        }
    }
}

/// The slot being filled while walking a step's events.
struct Pending {
    before: Option<Active>,
    changes: Vec<(String, Option<ModuleState>)>,
    phases: Vec<(usize, TransitionPhase, KlpState)>,
    marker: Option<Marker>,
    marker_object: String,
}

impl Pending {
    fn new(before: Option<Active>) -> Pending {
        Pending {
            before,
            changes: Vec::new(),
            phases: Vec::new(),
            marker: None,
            marker_object: String::new(),
        }
    }

    fn has_content(&self) -> bool {
        !self.changes.is_empty() || !self.phases.is_empty()
    }
}

impl LaneCell {
    fn absent() -> LaneCell {
        LaneCell {
            presence: Presence::Absent,
            changes: Vec::new(),
            marker: None,
        }
    }
}

fn ensure_lane(presence: &mut Vec<(String, Presence)>, object: &str) {
    if !presence.iter().any(|(o, _)| o == object) {
        presence.push((object.to_string(), Presence::Absent));
    }
}

fn set_presence(presence: &mut [(String, Presence)], module: &str, state: Option<ModuleState>) {
    if let Some((_, p)) = presence.iter_mut().find(|(o, _)| o == module) {
        *p = match state {
            Some(s) => Presence::Module(s),
            None => Presence::Absent,
        };
    }
}

/// A command shortened for a narrow column header: the module path and the
/// sysfs prefixes go, the rest stays verbatim.
pub fn short_command(command: &str) -> String {
    command
        .replace("test_modules/", "")
        .replace(".ko", "")
        .replace("/sys/kernel/livepatch/", "…/")
        .replace("/sys/module/", "…/")
        .replace("/parameters/", "/")
}

/// `MODULE_STATE_LIVE` → `LIVE`.
pub fn state_short(state: ModuleState) -> &'static str {
    let name = state.name();
    name.strip_prefix("MODULE_STATE_").unwrap_or(name)
}

/// The glyph of a callback kind. Direction tells patch (→ new code) from
/// unpatch (← old code); hollow is "pre", filled is "post". Together with
/// the text label this never relies on colour.
pub fn glyph(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::PrePatch => "▷",
        CallbackKind::PostPatch => "▶",
        CallbackKind::PreUnpatch => "◁",
        CallbackKind::PostUnpatch => "◀",
    }
}

/// The CSS class of a callback kind.
pub fn kind_class(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::PrePatch => "k-pre-patch",
        CallbackKind::PostPatch => "k-post-patch",
        CallbackKind::PreUnpatch => "k-pre-unpatch",
        CallbackKind::PostUnpatch => "k-post-unpatch",
    }
}

/// A negative errno as `-ENODEV`, or the number when it has no name.
pub fn errno_label(ret: i32) -> String {
    klpscope_engine::errno::Errno(ret.saturating_abs())
        .name()
        .map(|n| format!("-{n}"))
        .unwrap_or_else(|| ret.to_string())
}

/// The words of a transition phase on the transition row.
pub fn phase_label(phase: TransitionPhase, target: KlpState) -> String {
    match phase {
        TransitionPhase::Init => format!("init {}", direction(target)),
        TransitionPhase::Start => format!("start {}", direction(target)),
        TransitionPhase::Reverse => format!("reversed → {}", direction(target)),
        TransitionPhase::Force => "forced".into(),
        TransitionPhase::Cancel => "canceled".into(),
        TransitionPhase::Complete => "complete".into(),
    }
}

/// The one-character form of a phase, for the compact timeline (the
/// full label is its title and its accessible name).
pub fn phase_glyph(phase: TransitionPhase) -> &'static str {
    match phase {
        TransitionPhase::Init => "i",
        TransitionPhase::Start => "s",
        TransitionPhase::Reverse => "⇄",
        TransitionPhase::Force => "F",
        TransitionPhase::Cancel => "✕",
        TransitionPhase::Complete => "✓",
    }
}

/// What a screen reader says for a marker: "pre_patch on vmlinux, patch
/// test_klp_callbacks_demo, step 2".
pub fn marker_name(m: &Marker) -> String {
    let mut s = format!("{} on {}", m.name, m.object);
    if let Some(state) = m.state {
        s.push_str(&format!(" in {}", state.name()));
    }
    if let Some(r) = m.ret
        && r != 0
    {
        s.push_str(&format!(", returned {}", errno_label(r)));
    }
    if let Some(p) = &m.patch {
        s.push_str(&format!(", patch {p}"));
    }
    for b in &m.badges {
        s.push_str(&format!(", {}", b.label()));
    }
    s.push_str(&format!(", step {}", m.step));
    s
}

/// Whether the transition an event belongs to was reversed before it: a
/// `Reverse` phase since the transition's `Init`, walking back from
/// (1-based `step`, `event`) through the run's events.
pub fn after_reversal(run: &Run, step: usize, event: usize) -> bool {
    let mut s = step.min(run.steps.len());
    let mut e = event;
    while s > 0 {
        let events = &run.steps[s - 1].events;
        for ev in events[..e.min(events.len())].iter().rev() {
            match ev.kind {
                EventKind::Transition {
                    phase: TransitionPhase::Reverse,
                    ..
                } => return true,
                EventKind::Transition {
                    phase: TransitionPhase::Init,
                    ..
                } => return false,
                _ => {}
            }
        }
        s -= 1;
        e = usize::MAX;
    }
    false
}

/// "patching" / "unpatching".
pub fn direction(target: KlpState) -> &'static str {
    match target {
        KlpState::Patched => "patching",
        KlpState::Unpatched => "unpatching",
        KlpState::Idle => "idle",
    }
}

/// One line describing a callback event, for the screen reader announcement
/// and the marker's accessible name.
pub fn describe_callback(ev: &Event) -> Option<String> {
    let EventKind::Callback { callback, ret, .. } = &ev.kind else {
        return None;
    };
    let object = ev.object.as_deref().unwrap_or(VMLINUX);
    let mut s = format!("{} {}", callback.name(), object);
    if let Some(state) = ev.module_state {
        s.push_str(&format!(" ({})", state.name()));
    }
    if let Some(r) = ret
        && *r != 0
    {
        s.push_str(&format!(" returned {}", errno_label(*r)));
    }
    Some(s)
}

/// Where the docs explain why an event happened: (chapter, heading) slugs,
/// chosen by the kernel function that led to it; `reversed` says the
/// event's transition was reversed before it ([`after_reversal`]).
pub fn doc_section(ev: &Event, reversed: bool) -> Option<(&'static str, &'static str)> {
    let has = |f: &str| ev.why.iter().any(|w| w == f);
    let is_callback = matches!(ev.kind, EventKind::Callback { .. });
    if let EventKind::Transition { phase, .. } = ev.kind {
        return Some(match phase {
            TransitionPhase::Reverse => ("transitions", "reversing-a-transition"),
            TransitionPhase::Force => ("transitions", "forcing-a-transition"),
            TransitionPhase::Cancel => ("callbacks", "when-pre_patch-fails"),
            _ => ("transitions", "a-transition-that-stalls"),
        });
    }
    if !is_callback {
        return None;
    }
    Some(if has("klp_module_coming") {
        ("modules", "a-module-loads-under-a-patch")
    } else if has("klp_module_going") || has("klp_cleanup_module_patches_limited") {
        ("modules", "a-module-goes-away")
    } else if has("klp_cancel_transition") {
        ("callbacks", "when-pre_patch-fails")
    } else if has("klp_complete_transition") && reversed {
        ("transitions", "reversing-a-transition")
    } else if has("klp_complete_transition") {
        ("callbacks", "post-callbacks-wait-for-every-task")
    } else if has("__klp_disable_patch") {
        ("callbacks", "disabling-a-patch")
    } else {
        ("callbacks", "enabling-a-patch")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chapters;

    const TEST1: &str = "\
% insmod test_modules/test_klp_callbacks_mod.ko
% insmod test_modules/test_klp_callbacks_demo.ko
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
% rmmod test_klp_callbacks_demo
% rmmod test_klp_callbacks_mod
";

    const STALLED: &str = "\
% insmod test_modules/test_klp_callbacks_busy.ko block_transition=Y
% insmod test_modules/test_klp_callbacks_demo.ko
% echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled
";

    fn build(text: &str) -> Timeline {
        let run = klpscope_engine::run_text(text).expect("parses");
        Timeline::build(&run, |m| m.contains("demo"))
    }

    fn lane<'a>(t: &'a Timeline, name: &str) -> &'a Lane {
        t.lanes.iter().find(|l| l.object == name).expect("lane")
    }

    fn markers(l: &Lane, step: usize, t: &Timeline) -> Vec<(CallbackKind, Option<ModuleState>)> {
        l.cells[t.step_slots(step)]
            .iter()
            .filter_map(|c| c.marker.as_ref())
            .map(|m| (m.callback, m.state))
            .collect()
    }

    #[test]
    fn padded_steps_line_up_and_keep_their_markers() {
        let mut t = build(STALLED);
        let before: Vec<_> = (1..=3).map(|n| markers(lane(&t, VMLINUX), n, &t)).collect();
        let counts: Vec<usize> = t.steps.iter().map(|s| s.slot_count + s.step).collect();
        t.pad_steps(&counts);
        assert_eq!(
            t.steps.iter().map(|s| s.slot_count).collect::<Vec<_>>(),
            counts
        );
        assert_eq!(t.slots.len(), counts.iter().sum::<usize>());
        assert_eq!(t.transition.len(), t.slots.len());
        for l in &t.lanes {
            assert_eq!(l.cells.len(), t.slots.len(), "{}", l.object);
        }
        for (n, m) in (1..=3).zip(before) {
            assert_eq!(markers(lane(&t, VMLINUX), n, &t), m);
            assert!(t.slots[t.step_slots(n)].iter().all(|s| s.step == n));
        }
        // The added slots go on as the step left things: the busy module
        // stays live, and the stalled transition stays stalled.
        let end = t.step_slots(2).end - 1;
        let busy = lane(&t, "test_klp_callbacks_busy");
        assert_eq!(
            busy.cells[end].presence,
            Presence::Module(ModuleState::Live)
        );
        assert!(t.transition[end].shows_bar() && !t.transition[end].blocked.is_empty());
    }

    #[test]
    fn every_row_has_one_cell_per_slot() {
        let t = build(TEST1);
        assert_eq!(t.steps.len(), 5);
        assert_eq!(t.transition.len(), t.slots.len());
        for l in &t.lanes {
            assert_eq!(l.cells.len(), t.slots.len(), "{}", l.object);
        }
        assert_eq!(t.lanes[0].object, VMLINUX);
        let covered: usize = t.steps.iter().map(|s| s.slot_count).sum();
        assert_eq!(covered, t.slots.len());
    }

    #[test]
    fn enabling_puts_pre_and_post_patch_on_both_lanes() {
        let t = build(TEST1);
        let live = Some(ModuleState::Live);
        assert_eq!(
            markers(lane(&t, "test_klp_callbacks_mod"), 2, &t),
            vec![
                (CallbackKind::PrePatch, live),
                (CallbackKind::PostPatch, live)
            ]
        );
        assert_eq!(
            markers(lane(&t, VMLINUX), 2, &t),
            vec![
                (CallbackKind::PrePatch, None),
                (CallbackKind::PostPatch, None)
            ]
        );
        assert!(lane(&t, "test_klp_callbacks_demo").livepatch);
        // pre_patch runs before the transition starts, post_patch after it
        // completes: the phases sit between the markers.
        let slots = t.step_slots(2);
        let start = slots
            .clone()
            .find(|&i| {
                t.transition[i]
                    .phases
                    .iter()
                    .any(|p| p.1 == TransitionPhase::Start)
            })
            .expect("start");
        let first_post = slots
            .clone()
            .find(|&i| {
                lane(&t, VMLINUX).cells[i]
                    .marker
                    .as_ref()
                    .is_some_and(|m| m.callback == CallbackKind::PostPatch)
            })
            .expect("post");
        assert!(start < first_post);
    }

    #[test]
    fn a_blocked_transition_is_marked_stalled_until_reversed() {
        let t = build(STALLED);
        let step2 = t.step_slots(2);
        let last = &t.transition[step2.end - 1];
        assert!(last.after.is_some());
        assert!(!last.blocked.is_empty(), "stalled at the end of step 2");
        let step3 = t.step_slots(3);
        assert!(
            t.transition[step3.clone()]
                .iter()
                .any(|c| c.phases.iter().any(|p| p.1 == TransitionPhase::Reverse))
        );
        assert!(
            t.transition[step3.end - 1].after.is_none(),
            "completed after reversal"
        );
    }

    #[test]
    fn callbacks_of_a_reversed_transition_link_to_the_reversal() {
        let run = klpscope_engine::run_text(STALLED).expect("parses");
        // Step 3 reverses the stalled patching; its post_unpatch callbacks
        // complete the reversed transition.
        let step = &run.steps[2];
        let (e, ev) = step
            .events
            .iter()
            .enumerate()
            .find(|(_, ev)| {
                matches!(
                    ev.kind,
                    EventKind::Callback {
                        callback: CallbackKind::PostUnpatch,
                        ..
                    }
                )
            })
            .expect("post_unpatch in step 3");
        assert!(after_reversal(&run, 3, e));
        assert_eq!(
            doc_section(ev, after_reversal(&run, 3, e)),
            Some(("transitions", "reversing-a-transition"))
        );
        // Step 2's pre_patch ran before any reversal.
        let (e2, ev2) = run.steps[1]
            .events
            .iter()
            .enumerate()
            .find(|(_, ev)| matches!(ev.kind, EventKind::Callback { .. }))
            .expect("pre_patch in step 2");
        assert!(!after_reversal(&run, 2, e2));
        assert_eq!(
            doc_section(ev2, false),
            Some(("callbacks", "enabling-a-patch"))
        );
        // A plain disable (no reversal) keeps its own section.
        let run = klpscope_engine::run_text(TEST1).expect("parses");
        let (e, _) = run.steps[2]
            .events
            .iter()
            .enumerate()
            .find(|(_, ev)| {
                matches!(
                    ev.kind,
                    EventKind::Callback {
                        callback: CallbackKind::PostUnpatch,
                        ..
                    }
                )
            })
            .expect("post_unpatch in step 3");
        assert!(!after_reversal(&run, 3, e));
    }

    #[test]
    fn docs_links_point_at_existing_headings() {
        let run = klpscope_engine::run_text(STALLED).expect("parses");
        let run2 = klpscope_engine::run_text(TEST1).expect("parses");
        for step in run.steps.iter().chain(run2.steps.iter()) {
            for ev in &step.events {
                if let Some((chapter, heading)) = doc_section(ev, false) {
                    assert!(
                        chapters::heading(chapter, heading).is_some(),
                        "{chapter}/{heading}"
                    );
                }
            }
        }
        for (chapter, heading) in [
            ("modules", "a-module-loads-under-a-patch"),
            ("modules", "a-module-goes-away"),
            ("callbacks", "when-pre_patch-fails"),
            ("callbacks", "post-callbacks-wait-for-every-task"),
            ("callbacks", "disabling-a-patch"),
            ("callbacks", "enabling-a-patch"),
            ("transitions", "reversing-a-transition"),
            ("transitions", "forcing-a-transition"),
            ("transitions", "a-transition-that-stalls"),
        ] {
            assert!(
                chapters::heading(chapter, heading).is_some(),
                "{chapter}/{heading}"
            );
        }
    }

    #[test]
    fn short_commands_keep_the_meaning() {
        assert_eq!(
            short_command("insmod test_modules/test_klp_callbacks_demo.ko pre_patch_ret=-19"),
            "insmod test_klp_callbacks_demo pre_patch_ret=-19"
        );
        assert_eq!(
            short_command("echo 0 > /sys/kernel/livepatch/test_klp_callbacks_demo/enabled"),
            "echo 0 > …/test_klp_callbacks_demo/enabled"
        );
        assert_eq!(errno_label(-19), "-ENODEV");
    }
}
