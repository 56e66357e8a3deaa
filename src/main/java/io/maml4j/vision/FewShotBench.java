package io.maml4j.vision;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tensor;
import io.maml4j.meta.Batch;
import io.maml4j.meta.InnerLoop;
import io.maml4j.meta.Losses;
import io.maml4j.meta.MamlAdam;
import io.maml4j.meta.MetaLearner;
import io.maml4j.meta.TaskChannel;
import io.maml4j.meta.TaskRequest;
import io.maml4j.meta.TaskWork;
import io.maml4j.optim.Adam;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Where one meta-iteration of few-shot classification spends its time and memory (issue 16's
 * speed figure): one meta-batch of T tasks computed as training computes it, task by task through
 * {@link MamlAdam}'s works, all of them in one arena that closes when the meta-batch ends (as an
 * executor thread's arena holds its tasks for the whole iteration), timed three ways on the same
 * data: the forward passes alone (support loss at θ, query loss), first-order MAML and
 * second-order MAML. Backward is first order less forward; the second-order term is second order
 * less first order, and includes re-running the support pass with its graph inside the task's
 * scratch arena (what {@link MamlAdam} pays so that a task keeps no graph after its reply).
 * Matrix-product FLOPs are counted the same way ({@link Tensor#gemmFlops}). A bounded
 * measurement for {@code maml4j bench}, not a test.
 */
public final class FewShotBench {
  private FewShotBench() {}

  /**
   * One phase's median over the measured repetitions.
   *
   * @param flops matrix-product floating-point operations of one repetition
   */
  public record Phase(String name, double seconds, long flops) {}

  /**
   * @param tasks T, the meta-batch
   * @param alpha the inner step size
   * @return forward, backward (first order), second-order term, and the whole second-order
   *     meta-gradient
   */
  public static List<Phase> measure(Policy policy, FewShotClassification data, int tasks, double alpha, DataType type,
      long seed, int warmup, int iterations) {
    SplittableRandom rng = new SplittableRandom(seed);
    Params theta = policy.init(rng.split(), type);
    FewShotClassification.Episode e = data.episode(data.sample(tasks, rng), rng);
    InnerLoop inner = new InnerLoop(policy, TaskLoss.CROSS_ENTROPY, alpha, 1);
    MamlAdam[] learners = {null, new MamlAdam(inner, TaskLoss.CROSS_ENTROPY, true, new Adam(1e-3)),
        new MamlAdam(inner, TaskLoss.CROSS_ENTROPY, false, new Adam(1e-3))};
    double[][] t = new double[3][iterations];
    long[] f = new long[3];
    for (int i = 0; i < warmup + iterations; i++) {
      for (int mode = 0; mode < 3; mode++) {
        List<TaskWork> works = new ArrayList<>(tasks);
        try (Arena iteration = Arena.open()) {
          Batch support = Batch.supervised(e.support(), type);
          Batch query = Batch.supervised(e.query(), type);
          List<Batch[]> perTask = new ArrayList<>(tasks);
          for (int k = 0; k < tasks; k++) {
            perTask.add(new Batch[] {support.task(k), query.task(k)});
          }
          long f0 = Tensor.gemmFlops();
          long t0 = System.nanoTime();
          if (mode == 0) {
            // The forward passes of an iteration: support loss at θ, query loss at θ (θ' costs the same).
            Params one = theta.detach().repeatPerTask(1);
            for (Batch[] b : perTask) {
              try (Arena task = Arena.open()) {
                Losses.crossEntropy(policy, one, b[0]).item();
                Losses.crossEntropy(policy, one, b[1]).item();
              }
            }
          } else {
            for (Batch[] b : perTask) {
              works.add(learners[mode].onBatches(theta, b[0], b[1]));
            }
            double[] g = MetaLearner.meanVector(TaskChannel.of(works).send(new TaskRequest(MamlAdam.SETUP, theta.flat())));
            if (!Double.isFinite(g[0])) {
              throw new IllegalStateException("meta-gradient is not finite: " + g[0]);
            }
          }
          long t1 = System.nanoTime();
          if (i >= warmup) {
            t[mode][i - warmup] = (t1 - t0) / 1e9;
            f[mode] = Tensor.gemmFlops() - f0;
          }
        } finally {
          for (int k = works.size() - 1; k >= 0; k--) {
            works.get(k).close();
          }
        }
      }
    }
    double fwd = median(t[0]);
    double fo = median(t[1]);
    double so = median(t[2]);
    List<Phase> out = new ArrayList<>();
    out.add(new Phase("forward", fwd, f[0]));
    out.add(new Phase("backward (first order)", fo - fwd, f[1] - f[0]));
    out.add(new Phase("second-order term", so - fo, f[2] - f[1]));
    out.add(new Phase("meta-gradient (second order)", so, f[2]));
    return out;
  }

  private static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
