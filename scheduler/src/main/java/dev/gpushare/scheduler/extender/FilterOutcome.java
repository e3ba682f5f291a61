package dev.gpushare.scheduler.extender;

import dev.gpushare.placement.NodeRejection;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** What {@code /filter} decided for one pod; {@link ExtenderJson} writes it as an {@code ExtenderFilterResult}. */
sealed interface FilterOutcome {

    /** These candidates pass: every one (the pod needs no GPU) or the one chosen. */
    record Passed(List<String> nodes) implements FilterOutcome {
        public Passed {
            nodes = List.copyOf(nodes);
        }
    }

    /** No candidate can take the pod; each candidate's reasons. */
    record Unschedulable(SortedMap<String, NodeRejection> rejections) implements FilterOutcome {
        public Unschedulable {
            rejections = Collections.unmodifiableSortedMap(new TreeMap<>(rejections));
        }
    }

    /** The attempt fails as an error with this message (invalid request, lost leadership, failed write). */
    record Failed(VerbFailure failure, String error) implements FilterOutcome {
    }
}
