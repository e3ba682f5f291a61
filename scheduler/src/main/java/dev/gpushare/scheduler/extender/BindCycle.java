package dev.gpushare.scheduler.extender;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The steps of one {@code /bind} that changed something, each with its undo (kube-scheduler's Unreserve). A failure
 * undoes them all, the last one first, so kube-scheduler's retry starts from a clean state; a success keeps them
 * (the node lock stays held until the device plugin releases it).
 */
final class BindCycle {

    /** What undoing one step did. */
    record Undone(String note, String problem) {
        /** There was nothing to undo. */
        static final Undone NOTHING = new Undone(null, null);

        /** Undone; {@code note} tells the operator's log. */
        static Undone did(String note) {
            return new Undone(note, null);
        }

        /** Could not be undone; {@code problem} goes into the answer. */
        static Undone failed(String problem) {
            return new Undone(null, problem);
        }
    }

    @FunctionalInterface
    interface Undo {
        Undone run();
    }

    /** What the failure left: problems for the answer, notes for the log. */
    record Rollback(List<String> notes, List<String> problems) {
    }

    private final Deque<Undo> done = new ArrayDeque<>();

    /** A step took effect; {@code undo} reverses it if the bind fails later. */
    void did(Undo undo) {
        done.push(undo);
    }

    /** Undoes every step, the last first; the cycle is empty afterwards. */
    Rollback rollBack() {
        List<String> notes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        while (!done.isEmpty()) {
            Undone undone = done.pop().run();
            if (undone.note() != null) {
                notes.add(undone.note());
            }
            if (undone.problem() != null) {
                problems.add(undone.problem());
            }
        }
        return new Rollback(notes, problems);
    }
}
