package io.maml4j.meta;

import java.util.ArrayList;
import java.util.List;

/** The tasks of one meta-iteration as a meta-step sees them: it sends, they answer. */
public interface TaskChannel {
  /** Number of tasks in the meta-batch. */
  int tasks();

  /** Sends {@code request} to every task; the replies in task order. */
  List<TaskReply> send(TaskRequest request);

  /** A channel to works held in this thread, answered one after the other. */
  static TaskChannel of(List<? extends TaskWork> works) {
    List<TaskWork> copy = List.copyOf(works);
    return new TaskChannel() {
      @Override
      public int tasks() {
        return copy.size();
      }

      @Override
      public List<TaskReply> send(TaskRequest request) {
        List<TaskReply> out = new ArrayList<>(copy.size());
        for (TaskWork w : copy) {
          out.add(w.handle(request));
        }
        return out;
      }
    };
  }
}
