package io.maml4j.work;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import io.maml4j.meta.TaskWork;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Task order, thread confinement, close order and failures of the in-process executor. */
class LocalExecutorTest {
  /** Units whose replies are a function of (iteration, task, request) and that log where they ran. */
  private static final class Probe implements UnitFactory {
    final Map<Integer, List<String>> threads = new ConcurrentHashMap<>();
    final List<Integer> closed = Collections.synchronizedList(new ArrayList<>());
    volatile int failAt = -1;

    @Override
    public TaskWork open(int iteration, int task) {
      return new TaskWork() {
        @Override
        public TaskReply handle(TaskRequest r) {
          threads.computeIfAbsent(task, k -> Collections.synchronizedList(new ArrayList<>()))
              .add(Thread.currentThread().getName());
          if (task == failAt) {
            throw new IllegalArgumentException("task " + task + " refused " + r.op());
          }
          return new TaskReply(new double[] {iteration * 1000 + task}, new double[] {r.vector()[0] * task});
        }

        @Override
        public void close() {
          closed.add(task);
        }
      };
    }
  }

  @Test
  void when_tasks_are_answered_expect_replies_in_task_order_each_task_on_one_thread() {
    Probe probe = new Probe();
    try (LocalExecutor ex = new LocalExecutor(probe, 3)) {
      assertEquals(3, ex.parallelism());
      try (TaskExecutor.Iteration it = ex.begin(7, 8)) {
        assertEquals(8, it.tasks());
        for (int round = 1; round <= 3; round++) {
          List<TaskReply> replies = it.send(new TaskRequest("probe", new double[] {round}));
          for (int i = 0; i < 8; i++) {
            assertArrayEquals(new double[] {7000 + i}, replies.get(i).values(), 0);
            assertArrayEquals(new double[] {round * i}, replies.get(i).vector(), 0);
          }
        }
      }
    }
    for (int i = 0; i < 8; i++) {
      List<String> where = probe.threads.get(i);
      assertEquals(3, where.size());
      assertEquals(1, where.stream().distinct().count(), "task " + i + " moved between threads: " + where);
      assertEquals("maml4j-task-" + (i % 3), where.get(0));
    }
    // Every unit closed once, and on each thread the later tasks first.
    assertEquals(8, probe.closed.size());
    for (int t = 0; t < 3; t++) {
      List<Integer> mine = new ArrayList<>();
      for (int i : probe.closed) {
        if (i % 3 == t) {
          mine.add(i);
        }
      }
      List<Integer> expected = new ArrayList<>();
      for (int i = 7; i >= 0; i--) {
        if (i % 3 == t) {
          expected.add(i);
        }
      }
      assertEquals(expected, mine);
    }
  }

  @Test
  void when_a_unit_fails_expect_its_error_and_a_usable_executor_after_the_iteration_closes() {
    Probe probe = new Probe();
    probe.failAt = 2;
    try (LocalExecutor ex = new LocalExecutor(probe, 2)) {
      TaskExecutor.Iteration it = ex.begin(0, 4);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> it.send(new TaskRequest("go", new double[] {1})));
      assertEquals("task 2 refused go", e.getMessage());
      assertThrows(IllegalStateException.class, () -> ex.begin(1, 4), "a second iteration while one is open");
      it.close();
      assertThrows(IllegalStateException.class, () -> it.send(new TaskRequest("go", new double[] {1})));
      assertEquals(4, probe.closed.size());
      probe.failAt = -1;
      try (TaskExecutor.Iteration again = ex.begin(1, 4)) {
        assertEquals(1003, again.send(new TaskRequest("go", new double[] {1})).get(3).values()[0]);
      }
    }
  }

  @Test
  void when_fewer_tasks_than_threads_expect_every_task_answered() {
    Probe probe = new Probe();
    try (LocalExecutor ex = new LocalExecutor(probe, 4); TaskExecutor.Iteration it = ex.begin(0, 1)) {
      assertEquals(1, it.send(new TaskRequest("one", new double[] {2})).size());
    }
    assertTrue(probe.closed.contains(0));
  }

  @Test
  void when_threads_or_tasks_are_not_positive_expect_one_clear_error() {
    assertEquals("threads must be at least 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> new LocalExecutor(new Probe(), 0)).getMessage());
    try (LocalExecutor ex = new LocalExecutor(new Probe(), 1)) {
      assertEquals("need at least one task, got 0",
          assertThrows(IllegalArgumentException.class, () -> ex.begin(0, 0)).getMessage());
    }
  }
}
