package io.maml4j.sampler;

import io.maml4j.env.ClassificationTaskDistribution;
import io.maml4j.env.Environment;
import io.maml4j.env.EnvironmentChecks;
import io.maml4j.env.EnvironmentChecks.Site;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws K labelled examples per task from a supervised task distribution: each input is the
 * first observation of a fresh one-step episode (q(x1) of the task) and its target is the task's
 * correct output; a {@link ClassificationTaskDistribution} draws them itself, with the labels
 * balanced. The supervised counterpart of {@link VectorSampler}: it never sees parameters.
 */
public final class ExampleSampler {
  private final SupervisedTaskDistribution distribution;

  public ExampleSampler(SupervisedTaskDistribution distribution) {
    this.distribution = distribution;
  }

  /** K examples for each task, seeded from {@code rng}. */
  public Examples sample(List<Task> tasks, int perTask, SplittableRandom rng) {
    if (perTask < 1) {
      throw new IllegalArgumentException("examples per task must be at least 1, got " + perTask);
    }
    int in = distribution.observationSpace().flatSize();
    int out = distribution.actionSpace().flatSize();
    double[] x = new double[tasks.size() * perTask * in];
    double[] y = new double[tasks.size() * perTask * out];
    for (int t = 0; t < tasks.size(); t++) {
      Task task = tasks.get(t);
      if (distribution instanceof ClassificationTaskDistribution c) {
        // K examples of every class, not K independent draws (see ClassificationTaskDistribution).
        ClassificationTaskDistribution.Labelled l = c.examples(task, perTask, rng);
        if (l.labels().length != perTask || l.inputs().length != perTask * in || out != 1) {
          throw new IllegalArgumentException(distribution.name() + " gave " + l.labels().length + " labelled examples of "
              + l.inputs().length / Math.max(1, l.labels().length) + " inputs, expected " + perTask + " of " + in);
        }
        System.arraycopy(l.inputs(), 0, x, t * perTask * in, perTask * in);
        System.arraycopy(l.labels(), 0, y, t * perTask, perTask);
        continue;
      }
      try (Environment env = distribution.make(task)) {
        for (int k = 0; k < perTask; k++) {
          int row = t * perTask + k;
          Site site = new Site(distribution.name(), task, k, 0);
          double[] input = env.reset(rng.nextLong());
          EnvironmentChecks.observation(site, distribution.observationSpace(), input);
          double[] target = distribution.target(task, input);
          EnvironmentChecks.target(site, distribution.actionSpace(), target);
          System.arraycopy(input, 0, x, row * in, in);
          System.arraycopy(target, 0, y, row * out, out);
        }
      }
    }
    return new Examples(tasks, perTask, in, out, x, y);
  }
}
