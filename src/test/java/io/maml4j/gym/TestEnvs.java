package io.maml4j.gym;

import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import java.util.Map;
import java.util.SplittableRandom;

/** Small test environments covering the space kinds navigation-2d does not: discrete and multi-dimensional. */
public final class TestEnvs implements EnvRegistry.Provider {
  @Override
  public Map<String, EnvRegistry.Factory> environments() {
    return Map.of("test-chain", f -> {
      f.finish();
      return new Chain();
    }, "test-grid", f -> {
      f.finish();
      return new Grid();
    });
  }

  /**
   * A chain of 5 states with a discrete observation (the state index) and 2 actions; the task
   * sets the start state; reaching state 4 terminates with reward 1.
   */
  static final class Chain implements TaskDistribution {
    @Override
    public String name() {
      return "test-chain";
    }

    @Override
    public Task sample(SplittableRandom rng) {
      return new Task(Map.of("start", (double) rng.nextInt(3)));
    }

    @Override
    public Environment make(Task task) {
      int start = (int) task.number("start");
      return new Environment() {
        int s;

        @Override
        public Space observationSpace() {
          return new Discrete(5);
        }

        @Override
        public Space actionSpace() {
          return new Discrete(2);
        }

        @Override
        public double[] reset(long seed) {
          s = start;
          return new double[] {s};
        }

        @Override
        public StepResult step(double[] action) {
          s = Math.max(0, Math.min(4, s + (action[0] == 1 ? 1 : -1)));
          return new StepResult(new double[] {s}, s == 4 ? 1 : 0, s == 4, false);
        }
      };
    }

    @Override
    public Space observationSpace() {
      return new Discrete(5);
    }

    @Override
    public Space actionSpace() {
      return new Discrete(2);
    }

    @Override
    public int horizon() {
      return 8;
    }
  }

  /**
   * A 2x3 Box observation counting, per cell, how often action (cell mod 3) was taken, seeded
   * noise in cell 0 from reset's seed; 3 discrete actions; no task parameters.
   */
  static final class Grid implements TaskDistribution {
    static final Box OBS = new Box(new int[] {2, 3}, new double[] {0, 0, 0, 0, 0, Double.NEGATIVE_INFINITY},
        new double[] {100, 100, 100, 100, 100, Double.POSITIVE_INFINITY});

    @Override
    public String name() {
      return "test-grid";
    }

    @Override
    public Task sample(SplittableRandom rng) {
      return new Task(Map.of());
    }

    @Override
    public Environment make(Task task) {
      return new Environment() {
        final double[] cells = new double[6];

        @Override
        public Space observationSpace() {
          return OBS;
        }

        @Override
        public Space actionSpace() {
          return new Discrete(3);
        }

        @Override
        public double[] reset(long seed) {
          java.util.Arrays.fill(cells, 0);
          cells[5] = new SplittableRandom(seed).nextDouble() - 0.5;
          return cells.clone();
        }

        @Override
        public StepResult step(double[] action) {
          int a = (int) action[0];
          cells[a]++;
          cells[a + 3] += 0.5;
          return new StepResult(cells.clone(), a, false, false);
        }
      };
    }

    @Override
    public Space observationSpace() {
      return OBS;
    }

    @Override
    public Space actionSpace() {
      return new Discrete(3);
    }

    @Override
    public int horizon() {
      return 5;
    }
  }
}
